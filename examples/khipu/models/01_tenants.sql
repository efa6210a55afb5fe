-- The desired schema (quipu compares it with the database for
-- `quipu revision --autogenerate`). Files load in name order.
--
-- tenants: the organisations of the Khipu platform. Every other row
-- carries a tenant_id pointing here.

CREATE TABLE tenants (
    id VARCHAR(36) NOT NULL,
    name VARCHAR(255) NOT NULL,
    slug VARCHAR(100) NOT NULL,
    plan VARCHAR(20) NOT NULL DEFAULT 'free',
    is_active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT pk_tenants PRIMARY KEY (id),
    CONSTRAINT uq_tenants_slug UNIQUE (slug),
    CONSTRAINT ck_tenants_plan CHECK (plan IN ('free', 'pro', 'enterprise'))
);
