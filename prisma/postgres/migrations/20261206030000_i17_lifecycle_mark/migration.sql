-- CreateTable
CREATE TABLE "LifecycleMark" (
    "key" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "LifecycleMark_pkey" PRIMARY KEY ("key")
);
