-- AlterTable
ALTER TABLE "AuthChallenge" ADD COLUMN "intent" TEXT;

-- AlterTable
ALTER TABLE "StepUpProof" ADD COLUMN "assertion" TEXT;
ALTER TABLE "StepUpProof" ADD COLUMN "intent" TEXT;
