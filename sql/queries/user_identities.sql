/* @name FindIdentityByProviderSubject */
SELECT * FROM app.user_identities WHERE provider = :provider! AND subject = :subject!;

/* @name ListIdentitiesOfUser */
SELECT * FROM app.user_identities WHERE user_id = :userId! ORDER BY provider, subject;
