-- The desired schema (quipu compares it with the database for
-- `quipu revision --autogenerate`). Files load in name order.
--
-- projects: audiobook projects (title, author, narrator, target length).

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
