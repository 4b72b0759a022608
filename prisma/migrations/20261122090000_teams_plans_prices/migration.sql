-- AlterTable
ALTER TABLE "Plan" ADD COLUMN     "allowedGpuTypes" TEXT[] DEFAULT ARRAY[]::TEXT[],
ADD COLUMN     "allowedProviderIds" TEXT[] DEFAULT ARRAY[]::TEXT[],
ADD COLUMN     "allowedRentalTypes" TEXT[] DEFAULT ARRAY[]::TEXT[],
ADD COLUMN     "maxGpusPerVm" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "maxGpusSum" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "maxMonthlySpend" DECIMAL(12,2);

-- AlterTable
ALTER TABLE "Template" ADD COLUMN     "defaultCpuCores" INTEGER,
ADD COLUMN     "defaultDiskGb" INTEGER,
ADD COLUMN     "defaultMemoryMb" INTEGER;

-- AlterTable
ALTER TABLE "User" ADD COLUMN     "quotaOverrides" JSONB NOT NULL DEFAULT '{}',
ADD COLUMN     "teamId" TEXT;

-- AlterTable
ALTER TABLE "Vm" ADD COLUMN     "gpuCount" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "gpuType" TEXT,
ADD COLUMN     "rentalType" TEXT NOT NULL DEFAULT 'on_demand';

-- CreateTable
CREATE TABLE "TemplateTeamGrant" (
    "templateId" TEXT NOT NULL,
    "teamId" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "TemplateTeamGrant_pkey" PRIMARY KEY ("templateId","teamId")
);

-- CreateTable
CREATE TABLE "Team" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "planId" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Team_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Price" (
    "id" TEXT NOT NULL,
    "resource" TEXT NOT NULL,
    "gpuType" TEXT NOT NULL DEFAULT '',
    "amount" DECIMAL(12,4) NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Price_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Setting" (
    "key" TEXT NOT NULL,
    "value" JSONB NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Setting_pkey" PRIMARY KEY ("key")
);

-- CreateIndex
CREATE UNIQUE INDEX "Team_name_key" ON "Team"("name");

-- CreateIndex
CREATE UNIQUE INDEX "Price_resource_gpuType_key" ON "Price"("resource", "gpuType");

-- AddForeignKey
ALTER TABLE "User" ADD CONSTRAINT "User_teamId_fkey" FOREIGN KEY ("teamId") REFERENCES "Team"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "TemplateTeamGrant" ADD CONSTRAINT "TemplateTeamGrant_templateId_fkey" FOREIGN KEY ("templateId") REFERENCES "Template"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "TemplateTeamGrant" ADD CONSTRAINT "TemplateTeamGrant_teamId_fkey" FOREIGN KEY ("teamId") REFERENCES "Team"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Team" ADD CONSTRAINT "Team_planId_fkey" FOREIGN KEY ("planId") REFERENCES "Plan"("id") ON DELETE SET NULL ON UPDATE CASCADE;
