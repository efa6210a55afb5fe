/*
 * test_schema_cases.c: the autogenerate edit cases (tests/autogen/cases/NAME.case,
 * see schema_cases.h) on SQLite (in-memory databases): for each, the generated SQL both ways,
 * and that upgrade then downgrade gives back exactly the previous schema.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "schema_cases.h"

static void run_case(void **state)
{
	assert_int_equal(sc_run(*state, &qp_driver_sqlite), 0);
}

int main(void)
{
	qp_strlist cases = QP_STRLIST_INIT;
	struct CMUnitTest *tests;
	size_t i;
	int rc;

	if (0 < 0 || sc_list(&cases) < 0 || cases.count == 0)
		return 1;
	tests = calloc(cases.count, sizeof(*tests));
	for (i = 0; i < cases.count; i++) {
		const char *slash = strrchr(cases.items[i], '/');
		tests[i].name = slash ? slash + 1 : cases.items[i];
		tests[i].test_func = run_case;
		tests[i].initial_state = cases.items[i];
	}
	rc = _cmocka_run_group_tests("test_schema_cases", tests, cases.count, NULL, NULL);
	free(tests);
	qp_strlist_release(&cases);
	return rc;
}
