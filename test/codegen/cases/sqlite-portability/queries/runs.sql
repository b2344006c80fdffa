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

/* @name UpsertRun */
INSERT INTO lab.runs (team_id, title) VALUES (:teamId!, :title!)
ON CONFLICT (team_id, title) DO UPDATE SET phase = excluded.phase RETURNING *;

/* @name UpsertRunStamped */
INSERT INTO lab.runs (team_id, title) VALUES (:teamId!, :title!)
ON CONFLICT (team_id, title) DO UPDATE SET phase = excluded.phase, updated_at = now() RETURNING *;

/* @name RunsByPosition */
SELECT id, phase FROM lab.runs ORDER BY 2;

/* @name RunsByFirstPosition */
SELECT id, phase FROM lab.runs ORDER BY 1;

/* @name LatestPhase */
SELECT max(phase) AS top FROM lab.runs;

/* @name RankByPhase */
SELECT id, row_number() OVER (ORDER BY phase) AS "rank!" FROM lab.runs ORDER BY id;

/* @name RunsPastPlanning */
SELECT id FROM lab.runs WHERE phase > 'planned';

/* @name RunsOverBudget */
SELECT id FROM lab.runs WHERE budget > :min!;
