/* @name FindUserByEmail */
SELECT * FROM app.users WHERE email = :email!;

/* @name SearchUsersByName */
SELECT * FROM app.users
WHERE first_name ILIKE :pattern! OR last_name ILIKE :pattern!
ORDER BY last_name, first_name, id
LIMIT :limit!;
