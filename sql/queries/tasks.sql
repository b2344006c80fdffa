/* @name ListOpenTasksOfOwner */
SELECT * FROM app.tasks
WHERE owner_id = :ownerId! AND status <> 'done' AND NOT archived
ORDER BY due_at ASC NULLS LAST, id;

/* @name CountTasksByStatus */
SELECT status, count(*) AS "total!" FROM app.tasks
WHERE owner_id = :ownerId!
GROUP BY status
ORDER BY CASE status WHEN 'todo' THEN 1 WHEN 'doing' THEN 2 WHEN 'done' THEN 3 END;

/* @name ArchiveDoneTasksOfOwner */
UPDATE app.tasks SET archived = true, updated_at = now()
WHERE owner_id = :ownerId! AND status = 'done' AND NOT archived
RETURNING *;
