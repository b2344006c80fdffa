/* @name FindKeyByLabel */
SELECT * FROM shop.keys WHERE label = :label!;
