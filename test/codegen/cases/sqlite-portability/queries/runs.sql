/* @name RunsOfTeam */
SELECT * FROM lab.runs WHERE team_id = :teamId! ORDER BY id;

/* @name RunsByPhase */
SELECT id, phase FROM lab.runs ORDER BY phase DESC, id;

/* @name SearchRuns */
SELECT id, title FROM lab.runs WHERE title ILIKE :pattern!;

/* @name RunsWithTags */
SELECT id FROM lab.runs WHERE :tag! = ANY(tags);

/* @name BudgetAsInt */
SELECT id, budget::int AS "whole!" FROM lab.runs;

/* @name FinishRuns */
UPDATE lab.runs SET phase = 'finished' WHERE team_id = :teamId! RETURNING *;

/* @name FinishRunsStamped */
UPDATE lab.runs SET phase = 'finished', updated_at = now() WHERE team_id = :teamId! RETURNING *;

/* @name DeleteRunsOfTeam */
DELETE FROM lab.runs WHERE team_id = :teamId!;
