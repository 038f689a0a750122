#ifndef SWITCHBOARD_CLIBPQ_SHIM_H
#define SWITCHBOARD_CLIBPQ_SHIM_H
#include <libpq-fe.h>

// Typed shims over the few libpq calls whose C types Swift imports awkwardly.

// The status of a result as a plain int (ExecStatusType is an enum Swift imports as a struct).
static inline int sb_pq_result_status(const PGresult *result) {
    return (int)PQresultStatus(result);
}

static inline int sb_pq_result_ok(const PGresult *result) {
    ExecStatusType status = PQresultStatus(result);
    return status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK;
}

static inline int sb_pq_connection_ok(const PGconn *connection) {
    return connection != NULL && PQstatus(connection) == CONNECTION_OK;
}

// The five-character SQLSTATE of a failed result, or NULL (a failure libpq saw itself).
static inline const char *sb_pq_sqlstate(const PGresult *result) {
    return result == NULL ? NULL : PQresultErrorField(result, PG_DIAG_SQLSTATE);
}

// The primary message of a failed result without libpq's "ERROR:  " prefix and detail lines.
static inline const char *sb_pq_primary_message(const PGresult *result) {
    return result == NULL ? NULL : PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY);
}

// A notice processor that drops server notices (NOTICE: relation already exists, ...), which libpq
// would otherwise print on stderr outside the daemon's log format.
static void sb_pq_ignore_notice(void *arg, const char *message) { (void)arg; (void)message; }
static inline void sb_pq_silence_notices(PGconn *connection) {
    PQsetNoticeProcessor(connection, sb_pq_ignore_notice, NULL);
}

// Whether a transaction is open on the connection (idle in one, or failed in one).
static inline int sb_pq_in_transaction(const PGconn *connection) {
    PGTransactionStatusType status = PQtransactionStatus(connection);
    return status == PQTRANS_INTRANS || status == PQTRANS_INERROR;
}

// Whether a result is a pipeline's synchronization point (libpq 14+ pipeline mode).
static inline int sb_pq_is_pipeline_sync(const PGresult *result) {
    return result != NULL && PQresultStatus(result) == PGRES_PIPELINE_SYNC;
}
#endif
