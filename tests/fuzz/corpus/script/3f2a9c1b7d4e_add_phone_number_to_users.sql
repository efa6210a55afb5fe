-- Add phone_number to users
--
-- Revision ID: 3f2a9c1b7d4e
-- Revises: e8a14672d2af
-- Create Date: 2026-11-25 22:01:00.123456
-- Branch Labels:
-- Depends On:

-- migrate:upgrade
ALTER TABLE users ADD COLUMN phone_number VARCHAR(20);

-- migrate:downgrade
ALTER TABLE users DROP COLUMN phone_number;
