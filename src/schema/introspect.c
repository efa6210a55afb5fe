/*
 * introspect.c: picking the introspection for a driver (see introspect.h).
 */
#include "schema/introspect.h"
#include "util/err.h"

#include <string.h>

int qp_introspect(qp_model *out, const qp_driver *drv, qp_conn *c, const qp_introspect_opts *opts)
{
	if (!strcmp(drv->name, "postgresql"))
		return qp_introspect_pg(out, drv, c, opts);
	if (!strcmp(drv->name, "sqlite"))
		return qp_introspect_sqlite(out, drv, c, opts);
	qp_model_init(out, QP_DIALECT_PG);
	return qp_error_set(QUIPU_EUSAGE, "autogenerate does not support %s databases yet", drv->name);
}
