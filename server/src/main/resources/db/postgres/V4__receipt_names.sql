-- Receipt queries answer with names ("Read by Alice, Bob"), so each cursor keeps the display name the user
-- last sent a receipt under (the token's name claim; null when the token has none).
ALTER TABLE receipts ADD COLUMN user_name VARCHAR(255);
