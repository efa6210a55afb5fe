-- Initial tables
--
-- Revision ID: e8a14672d2af
-- Revises:
-- Create Date: 2026-11-18 10:42:17.305214
-- Branch Labels:
-- Depends On:

-- migrate:upgrade
-- Organisations: every other row belongs to exactly one tenant.
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

-- User accounts; an email is unique within its tenant.
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
    CONSTRAINT pk_users PRIMARY KEY (id),
    CONSTRAINT fk_users_tenant_id FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE,
    CONSTRAINT uq_users_tenant_id_email UNIQUE (tenant_id, email),
    CONSTRAINT ck_users_role CHECK (role IN ('owner', 'admin', 'member', 'viewer'))
);
CREATE INDEX ix_users_email ON users (email);

-- Audiobook projects.
CREATE TABLE projects (
    id VARCHAR(36) NOT NULL,
    tenant_id VARCHAR(36) NOT NULL,
    owner_id VARCHAR(36),
    title VARCHAR(500) NOT NULL,
    subtitle VARCHAR(500),
    author VARCHAR(255),
    narrator VARCHAR(255),
    description TEXT,
    language VARCHAR(10) NOT NULL DEFAULT 'en',
    isbn VARCHAR(17),
    status VARCHAR(20) NOT NULL DEFAULT 'draft',
    target_duration_minutes INTEGER,
    word_count INTEGER NOT NULL DEFAULT 0,
    cover_image_url VARCHAR(1024),
    published_at TIMESTAMP WITH TIME ZONE,
    created_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT pk_projects PRIMARY KEY (id),
    CONSTRAINT fk_projects_tenant_id FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE,
    CONSTRAINT fk_projects_owner_id FOREIGN KEY (owner_id) REFERENCES users (id) ON DELETE SET NULL,
    CONSTRAINT ck_projects_status CHECK (status IN ('draft', 'in_progress', 'review', 'completed', 'published', 'archived')),
    CONSTRAINT ck_projects_target_duration_minutes CHECK (target_duration_minutes IS NULL OR target_duration_minutes > 0),
    CONSTRAINT ck_projects_word_count CHECK (word_count >= 0)
);
CREATE INDEX ix_projects_tenant_id ON projects (tenant_id);
CREATE INDEX ix_projects_owner_id ON projects (owner_id);
CREATE INDEX ix_projects_tenant_id_status ON projects (tenant_id, status);

-- Who works on which project, and as what.
CREATE TABLE project_members (
    id VARCHAR(36) NOT NULL,
    tenant_id VARCHAR(36) NOT NULL,
    project_id VARCHAR(36) NOT NULL,
    user_id VARCHAR(36) NOT NULL,
    role VARCHAR(20) NOT NULL DEFAULT 'viewer',
    created_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT pk_project_members PRIMARY KEY (id),
    CONSTRAINT fk_project_members_tenant_id FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE,
    CONSTRAINT fk_project_members_project_id FOREIGN KEY (project_id) REFERENCES projects (id) ON DELETE CASCADE,
    CONSTRAINT fk_project_members_user_id FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
    CONSTRAINT uq_project_members_project_id_user_id UNIQUE (project_id, user_id),
    CONSTRAINT ck_project_members_role CHECK (role IN ('owner', 'editor', 'narrator', 'reviewer', 'viewer'))
);
CREATE INDEX ix_project_members_tenant_id ON project_members (tenant_id);
CREATE INDEX ix_project_members_user_id ON project_members (user_id);

-- migrate:downgrade
DROP INDEX ix_project_members_user_id;
DROP INDEX ix_project_members_tenant_id;
DROP TABLE project_members;
DROP INDEX ix_projects_tenant_id_status;
DROP INDEX ix_projects_owner_id;
DROP INDEX ix_projects_tenant_id;
DROP TABLE projects;
DROP INDEX ix_users_email;
DROP TABLE users;
DROP TABLE tenants;
