-- AlterTable
ALTER TABLE "AuthChallenge" ADD COLUMN     "intent" TEXT;

-- AlterTable
ALTER TABLE "StepUpProof" ADD COLUMN     "assertion" TEXT,
ADD COLUMN     "intent" TEXT;
