#ifndef SWITCHBOARD_CSQLITE_SHIM_H
#define SWITCHBOARD_CSQLITE_SHIM_H
#include <sqlite3.h>

// SQLITE_STATIC is a macro casting 0 to a destructor pointer, which Swift cannot import: SQLite then
// uses the caller's bytes as they are, until the statement is reset or the parameter bound again.
static inline int sb_sqlite3_bind_text_static(sqlite3_stmt *stmt, int index, const char *text, int length) {
    return sqlite3_bind_text(stmt, index, text, length, SQLITE_STATIC);
}

// sqlite3_db_config is variadic.
static inline int sb_sqlite3_db_config_int(sqlite3 *db, int op, int value, int *result) {
    return sqlite3_db_config(db, op, value, result);
}

// sqlite3_config is variadic. Turning the memory statistics off spares every SQLite allocation and
// free a global mutex and counter updates; it must run before the library is initialized.
static inline int sb_sqlite3_config_memstatus(int on) {
    return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, on);
}
#endif
