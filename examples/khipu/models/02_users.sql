-- The desired schema (quipu compares it with the database for
-- `quipu revision --autogenerate`). Files load in name order.
--
-- users: accounts, authenticated by email + password, unique per tenant.

CREATE TABLE users (
    id VARCHAR(36) NOT NULL,
    tenant_id VARCHAR(36) NOT NULL,
    email VARCHAR(255) NOT NULL,
    hashed_password VARCHAR(255) NOT NULL,
    full_name VARCHAR(255),
    role VARCHAR(20) NOT NULL DEFAULT 'member',
    is_active BOOLEAN NOT NULL DEFAULT TRUE,
    is_verified BOOLEAN NOT NULL DEFAULT FALSE,
    last_login_at TIMESTAMP WITH TIME ZONE,
    created_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT CURRENT_TIMESTAMP,
    phone_number VARCHAR(20),
    CONSTRAINT pk_users PRIMARY KEY (id),
    CONSTRAINT fk_users_tenant_id FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE,
    CONSTRAINT uq_users_tenant_id_email UNIQUE (tenant_id, email),
    CONSTRAINT ck_users_role CHECK (role IN ('owner', 'admin', 'member', 'viewer'))
);
CREATE INDEX ix_users_email ON users (email);
