-- CreateTable
CREATE TABLE "LifecycleMark" (
    "key" TEXT NOT NULL PRIMARY KEY,
    "at" DATETIME NOT NULL
);
