-- Merge
--
-- Revision ID: abc
-- Revises: a, b
-- Create Date: 
-- Branch Labels: x, y
-- Depends On: z

-- migrate:upgrade transaction:false
CREATE INDEX CONCURRENTLY i ON t (c);
-- migrate:downgrade
DROP INDEX i;
