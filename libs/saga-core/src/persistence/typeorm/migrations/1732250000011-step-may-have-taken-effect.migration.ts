import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Remembers that an attempt of a step went unanswered: the participant may hold that
 * attempt's work even when a later attempt failed, so the step is compensated.
 */
export class StepMayHaveTakenEffect1732250000011 implements MigrationInterface {
  name = 'StepMayHaveTakenEffect1732250000011';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE saga_step_states
        ADD COLUMN may_have_taken_effect boolean NOT NULL DEFAULT false`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE saga_step_states DROP COLUMN may_have_taken_effect`);
  }
}
