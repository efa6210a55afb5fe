-- no header at all
SELECT 1;
