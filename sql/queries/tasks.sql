/* @name ListOpenTasksOfOwner */
SELECT * FROM app.tasks
WHERE owner_id = :ownerId! AND status <> 'done' AND NOT archived
ORDER BY due_at ASC NULLS LAST, id;

/* @name CountTasksByStatus */
SELECT status, count(*) AS "total!" FROM app.tasks
WHERE owner_id = :ownerId!
GROUP BY status
ORDER BY status;

/* @name ArchiveDoneTasksOfOwner */
UPDATE app.tasks SET archived = true
WHERE owner_id = :ownerId! AND status = 'done' AND NOT archived
RETURNING *;
