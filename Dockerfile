# syntax=docker/dockerfile:1
# nodeplan: plan/apply node maintenance for Run:ai clusters. Multi-stage: native modules and the
# TypeScript sources are compiled in the build stage; the runtime image carries no compiler and
# runs as a non-root user.
# test/deploy/docker.test.ts keeps this file consistent with the project (start command, the
# environment config.ts accepts, the files copied, the port, the health check).

FROM node:20-bookworm-slim AS build
WORKDIR /app
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json prisma.config.ts tsconfig.json tsconfig.build.json ./
COPY prisma ./prisma
COPY src ./src
# postinstall generates the Prisma clients into src/generated and compiles src/ to dist/; the
# development dependencies (the compiler among them) are dropped afterwards.
RUN npm ci && npm prune --omit=dev

FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    PORT=8080 \
    HOST=0.0.0.0 \
    DATABASE_URL=file:/data/nodeplan.db
WORKDIR /app
# /data: the SQLite file of a single replica; /simulator: the kubeconfig of compose's simulator profile.
RUN mkdir -p /data /simulator && chown node:node /data /simulator
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --chown=node:node package.json package-lock.json prisma.config.ts ./
COPY --chown=node:node prisma ./prisma
COPY --chown=node:node bin ./bin
COPY --from=build --chown=node:node /app/dist ./dist
USER node
EXPOSE 8080
VOLUME ["/data"]
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "bin/nodeplan.mjs", "serve"]
