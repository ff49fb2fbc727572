-- The 1-based position of a pending job in the queue, as last published (NULL otherwise).
-- Stored so that a position change is a state change like any other (seq + 1, an event).
ALTER TABLE jobs ADD COLUMN queue_position INTEGER;
