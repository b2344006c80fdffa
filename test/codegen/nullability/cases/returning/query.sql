/* @name InsertReturningStar */
INSERT INTO authors (id, name, bio) VALUES (:id!, :name!, :bio) RETURNING *;

/* @name UpdateReturning */
UPDATE authors SET bio = :bio WHERE id = :id! AND bio IS NOT NULL RETURNING id, name, bio;

/* @name DeleteReturning */
DELETE FROM authors a USING books b WHERE b.author_id = a.id AND b.id = :bookId! RETURNING a.name, a.bio, b.subtitle;

/* @name UpdateWithoutReturning */
UPDATE authors SET bio = NULL WHERE id = :id!;
