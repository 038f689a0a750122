/* floor.c: a minimal single-threaded epoll server doing Switchboard's essential /voice work, to
 * measure a performance floor: HTTP/1.1 keep-alive parsing, HMAC-SHA1 signature check, JSON field
 * scan, round-robin routing, one SQLite WAL transaction per epoll turn (group commit), responses
 * written only after the commit, one buffered log line per request.
 *
 * Built and run by bench/floor/run.sh (make bench-floor): gcc -O2 floor.c -lsqlite3 -lcrypto -lpthread
 * usage: floor PORT DBPATH [threads=1|2]
 *   threads=2: the main thread reads/parses/verifies; a second thread commits each turn's batch and
 *   writes its responses (hand-off per turn; the main thread does not wait for the commit).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/crypto.h>
#include <openssl/sha.h>
#include <pthread.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define KEY "PSK_bench_signing_key"
#define URL "https://sb.bench.example/voice"
#define MAX_HEAD 8192
#define MAX_BODY (1 << 20)
#define MAX_EVENTS 512

static const char *MEMBERS[3] = {"+15551111111", "+15551111112", "+15551111113"};
static const char *MEMBERS_REDACTED[3] = {"+1******1111", "+1******1112", "+1******1113"};
static const char *POOL = "sales";

static volatile sig_atomic_t stop_flag;
static void on_term(int sig) { (void)sig; stop_flag = 1; }

static void die(const char *what) { perror(what); exit(1); }

/* ---------- growable byte buffer ---------- */
typedef struct { char *p; size_t len, cap, off; } buf_t;
static void buf_reserve(buf_t *b, size_t extra) {
    if (b->len + extra <= b->cap) return;
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->len + extra) cap *= 2;
    b->p = realloc(b->p, cap);
    if (!b->p) die("realloc");
    b->cap = cap;
}
static inline void buf_put(buf_t *b, const void *d, size_t n) { buf_reserve(b, n); memcpy(b->p + b->len, d, n); b->len += n; }
static inline void buf_puts(buf_t *b, const char *s) { buf_put(b, s, strlen(s)); }

/* ---------- connections ---------- */
typedef struct {
    int fd;
    int dead;         /* peer closed / error: closed at the end of the turn */
    int want_out;     /* EPOLLOUT registered */
    buf_t in;
    buf_t out;        /* pending output (out.off = bytes already written) */
    pthread_mutex_t lock; /* threads=2: out buffer shared with the committer */
    int refs;         /* threads=2: items in flight referencing this connection */
} conn_t;

static int epfd;

/* ---------- HMAC-SHA1 with precomputed state (key ipad/opad, and the constant URL) ---------- */
static SHA_CTX inner_base, outer_base;
static void hmac_init(void) {
    unsigned char k[64] = {0}, ipad[64], opad[64];
    memcpy(k, KEY, strlen(KEY)); /* key < 64 bytes */
    for (int i = 0; i < 64; i++) { ipad[i] = k[i] ^ 0x36; opad[i] = k[i] ^ 0x5c; }
    SHA1_Init(&inner_base); SHA1_Update(&inner_base, ipad, 64); SHA1_Update(&inner_base, URL, strlen(URL));
    SHA1_Init(&outer_base); SHA1_Update(&outer_base, opad, 64);
}
static int signature_ok(const char *body, size_t n, const char *sig, size_t siglen) {
    if (siglen != 40) return 0;
    SHA_CTX c = inner_base; unsigned char d[20], mac[20]; char hex[40];
    SHA1_Update(&c, body, n); SHA1_Final(d, &c);
    c = outer_base; SHA1_Update(&c, d, 20); SHA1_Final(mac, &c);
    static const char xd[] = "0123456789abcdef";
    for (int i = 0; i < 20; i++) { hex[2 * i] = xd[mac[i] >> 4]; hex[2 * i + 1] = xd[mac[i] & 15]; }
    return CRYPTO_memcmp(hex, sig, 40) == 0;
}

/* ---------- JSON scan: the string value of "key":"..." (compact JSON, no escapes in these fields) ---------- */
static int json_str(const char *body, size_t n, const char *key, const char **v, size_t *vl) {
    char pat[64]; int pl = snprintf(pat, sizeof pat, "\"%s\":\"", key);
    const char *p = memmem(body, n, pat, pl);
    if (!p) return 0;
    p += pl;
    const char *e = memchr(p, '"', body + n - p);
    if (!e) return 0;
    for (const char *q = p; q < e; q++) if (*q == '\\') return 0; /* escapes: not handled (not in the bench) */
    *v = p; *vl = e - p; return 1;
}

/* ---------- time: cached Date header and log timestamp ---------- */
static char date_hdr[64]; static time_t date_sec = -1;
static char log_sec[32]; /* "2026-12-03T12:00:00." */
static double now_real; static int now_ms;
static void update_time(void) {
    struct timespec ts; clock_gettime(CLOCK_REALTIME, &ts);
    now_real = ts.tv_sec + ts.tv_nsec / 1e9; now_ms = ts.tv_nsec / 1000000;
    if (ts.tv_sec != date_sec) {
        date_sec = ts.tv_sec; struct tm tm; gmtime_r(&date_sec, &tm);
        strftime(date_hdr, sizeof date_hdr, "Date: %a, %d %b %Y %H:%M:%S GMT\r\n", &tm);
        strftime(log_sec, sizeof log_sec, "%Y-%m-%dT%H:%M:%S.", &tm);
    }
}

/* ---------- responses ---------- */
static char *bodies[3]; static size_t body_len[3]; static char *heads[3]; static size_t head_len[3];
static void make_bodies(void) {
    for (int m = 0; m < 3; m++) {
        char b[2048];
        int n = snprintf(b, sizeof b,
            "{\"version\":\"1.0.0\",\"sections\":{\"main\":[\"answer\",{\"play\":{\"url\":\"say:Thanks for calling Acme sales.\"}},"
            "{\"connect\":{\"serial\":[{\"to\":\"%s\",\"timeout\":20},{\"to\":\"%s\",\"timeout\":20},{\"to\":\"%s\",\"timeout\":20}],"
            "\"from\":\"+15550000001\",\"call_state_url\":\"https://sb.bench.example/status/call\","
            "\"call_state_events\":[\"created\",\"ringing\",\"answered\",\"ended\"]}},"
            "{\"cond\":[{\"when\":\"vars.connect_result == 'connected'\",\"then\":[\"hangup\"]}]},"
            "{\"play\":{\"url\":\"say:Sorry, nobody is available to take your call. Leave a message after the tone.\"}},"
            "{\"record\":{\"beep\":true,\"format\":\"mp3\",\"terminators\":\"#\",\"end_silence_timeout\":5,\"max_length\":120,"
            "\"status_url\":\"https://sb.bench.example/voicemail\"}},"
            "\"hangup\"]}}",
            MEMBERS[m], MEMBERS[(m + 1) % 3], MEMBERS[(m + 2) % 3]);
        bodies[m] = strdup(b); body_len[m] = n;
        char h[256];
        head_len[m] = snprintf(h, sizeof h, "HTTP/1.1 200 OK\r\nServer: floor\r\nContent-Type: application/json\r\nContent-Length: %d\r\n", n);
        heads[m] = strdup(h);
    }
}
static const char R403[] = "HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\nContent-Length: 10\r\n\r\nForbidden\n";
static const char R400[] = "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nContent-Length: 12\r\n\r\nBad Request\n";
static const char R404[] = "HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nContent-Length: 10\r\n\r\nNot Found\n";

/* ---------- per-turn batch ---------- */
typedef struct {
    conn_t *c;
    int status;   /* 200, 403, 400, 404 */
    int member;
    uint32_t id_off, id_len, from_off, from_len, to_off, to_len; /* in the batch arena */
    uint64_t rid;
} item_t;
typedef struct batch {
    item_t *items; size_t n, cap;
    buf_t arena;
    int decisions;
    int last_member;
    struct batch *next;
} batch_t;
/* The commit's clock: decision time, Date header, log timestamp. */
typedef struct { double time; int ms; char date[64]; char logsec[32]; } stamp_t;
static void batch_add(batch_t *b, item_t it) {
    if (b->n == b->cap) { b->cap = b->cap ? b->cap * 2 : 256; b->items = realloc(b->items, b->cap * sizeof(item_t)); }
    b->items[b->n++] = it;
}
static uint32_t arena_put(batch_t *b, const char *s, size_t n) { uint32_t o = b->arena.len; buf_put(&b->arena, s, n); return o; }
static void batch_clear(batch_t *b) { b->n = 0; b->arena.len = 0; b->decisions = 0; }

/* ---------- SQLite ---------- */
static double mono(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec / 1e9; }
/* Checkpoints: FLOOR_CKPT=auto (SQLite's autocheckpoint on the serving connection, default),
 * thread (a background thread with its own connection runs PASSIVE checkpoints, as Switchboard's
 * Checkpointer does). */
static int ckpt_thread;
static double ckpt_time, ckpt_max; static uint64_t n_ckpt; static int wal_pages, wal_max;
static pthread_mutex_t ck_lock = PTHREAD_MUTEX_INITIALIZER; static pthread_cond_t ck_cond = PTHREAD_COND_INITIALIZER;
static int ck_request, ck_busy, ck_stop; static const char *db_path; static pthread_t ck_th;
static int on_wal(void *arg, sqlite3 *d, const char *name, int pages) {
    (void)arg; (void)d; (void)name; wal_pages = pages; if (pages > wal_max) wal_max = pages; return SQLITE_OK;
}
static void *checkpointer(void *arg) {
    (void)arg; sqlite3 *c; sqlite3_open(db_path, &c); sqlite3_busy_timeout(c, 1000);
    sqlite3_exec(c, "PRAGMA synchronous=NORMAL", NULL, NULL, NULL);
    if (getenv("FLOOR_CHUNK")) { int chunk = 8 << 20; sqlite3_file_control(c, "main", SQLITE_FCNTL_CHUNK_SIZE, &chunk); }
    pthread_mutex_lock(&ck_lock);
    for (;;) {
        while (!ck_request && !ck_stop) pthread_cond_wait(&ck_cond, &ck_lock);
        if (ck_stop) break;
        ck_request = 0; ck_busy = 1; pthread_mutex_unlock(&ck_lock);
        double t0 = mono();
        int log, done; sqlite3_wal_checkpoint_v2(c, NULL, SQLITE_CHECKPOINT_PASSIVE, &log, &done);
        double dt = mono() - t0; ckpt_time += dt; if (dt > ckpt_max) ckpt_max = dt; n_ckpt++;
        pthread_mutex_lock(&ck_lock); ck_busy = 0;
    }
    pthread_mutex_unlock(&ck_lock);
    sqlite3_close(c); return NULL;
}
static int no_db; /* FLOOR_NODB=1: diagnostic only, skip the database entirely */
static sqlite3 *db; static sqlite3_stmt *st_begin, *st_commit, *st_insert, *st_upsert;
static uint64_t answered_200, answered_other, next_rid;
static void db_open(const char *path) {
    if (sqlite3_open(path, &db) != SQLITE_OK) { fprintf(stderr, "open: %s\n", sqlite3_errmsg(db)); exit(1); }
    char *err = NULL;
    const char *setup =
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
        "CREATE TABLE IF NOT EXISTS decisions (time REAL NOT NULL, channel TEXT NOT NULL, id TEXT NOT NULL, \"from\" TEXT NOT NULL,"
        " \"to\" TEXT NOT NULL, pool TEXT NOT NULL, member TEXT NOT NULL);"
        "CREATE INDEX IF NOT EXISTS decisions_pool_member_time ON decisions (pool, member, time);"
        "CREATE INDEX IF NOT EXISTS decisions_time ON decisions (time);"
        "CREATE TABLE IF NOT EXISTS pool_state (pool TEXT PRIMARY KEY, last_member TEXT NOT NULL, updated REAL NOT NULL) WITHOUT ROWID;";
    if (sqlite3_exec(db, setup, NULL, NULL, &err) != SQLITE_OK) { fprintf(stderr, "schema: %s\n", err); exit(1); }
    /* FLOOR_SYNC=FULL: every commit synced, as Switchboard's durability=full. */
    if (getenv("FLOOR_SYNC") && !strcmp(getenv("FLOOR_SYNC"), "FULL")) sqlite3_exec(db, "PRAGMA synchronous=FULL", NULL, NULL, NULL);
    db_path = path;
    no_db = getenv("FLOOR_NODB") && !strcmp(getenv("FLOOR_NODB"), "1");
    if (getenv("FLOOR_CHUNK")) { /* as Switchboard's Checkpointer: grow the file in 8 MiB steps */
        int chunk = 8 << 20; sqlite3_file_control(db, "main", SQLITE_FCNTL_CHUNK_SIZE, &chunk);
    }
    const char *m = getenv("FLOOR_CKPT");
    ckpt_thread = m && !strcmp(m, "thread");
    if (m && !strncmp(m, "auto", 4) && m[4]) sqlite3_wal_autocheckpoint(db, atoi(m + 4)); /* e.g. auto10000 */
    if (ckpt_thread) {
        sqlite3_wal_hook(db, on_wal, NULL); /* replaces the autocheckpoint */
        pthread_create(&ck_th, NULL, checkpointer, NULL);
    }
#define PREP(s, q) if (sqlite3_prepare_v3(db, q, -1, SQLITE_PREPARE_PERSISTENT, &s, NULL) != SQLITE_OK) { fprintf(stderr, "prepare: %s\n", sqlite3_errmsg(db)); exit(1); }
    PREP(st_begin, "BEGIN IMMEDIATE");
    PREP(st_commit, "COMMIT");
    PREP(st_insert, "INSERT INTO decisions (time, channel, id, \"from\", \"to\", pool, member) VALUES (?1, 'voice', ?2, ?3, ?4, 'sales', ?5)");
    PREP(st_upsert, "INSERT INTO pool_state (pool, last_member, updated) VALUES ('sales', ?1, ?2)"
                    " ON CONFLICT(pool) DO UPDATE SET last_member = excluded.last_member, updated = excluded.updated");
}
static void step_done(sqlite3_stmt *s) {
    int rc = sqlite3_step(s);
    if (rc != SQLITE_DONE) { fprintf(stderr, "step: %s\n", sqlite3_errmsg(db)); exit(1); }
    sqlite3_reset(s);
}
static uint64_t n_commits, n_turns; static double commit_time, commit_max;
/* One transaction for a list of batches (one batch per epoll turn; several when a committer thread
 * was busy meanwhile). */

static void commit_batches(batch_t *list, const stamp_t *st) {
    if (no_db) return;
    int decisions = 0, last = -1;
    for (batch_t *b = list; b; b = b->next) if (b->decisions) { decisions += b->decisions; last = b->last_member; }
    if (!decisions) return;
    double t0 = mono();
    step_done(st_begin);
    for (batch_t *b = list; b; b = b->next) {
        const char *a = b->arena.p;
        for (size_t i = 0; i < b->n; i++) {
            item_t *it = &b->items[i];
            if (it->status != 200) continue;
            sqlite3_bind_double(st_insert, 1, st->time);
            sqlite3_bind_text(st_insert, 2, a + it->id_off, it->id_len, SQLITE_STATIC);
            sqlite3_bind_text(st_insert, 3, a + it->from_off, it->from_len, SQLITE_STATIC);
            sqlite3_bind_text(st_insert, 4, a + it->to_off, it->to_len, SQLITE_STATIC);
            sqlite3_bind_text(st_insert, 5, MEMBERS[it->member], -1, SQLITE_STATIC);
            step_done(st_insert);
        }
    }
    sqlite3_bind_text(st_upsert, 1, MEMBERS[last], -1, SQLITE_STATIC);
    sqlite3_bind_double(st_upsert, 2, st->time);
    step_done(st_upsert);
    step_done(st_commit);
    double dt = mono() - t0; commit_time += dt; if (dt > commit_max) commit_max = dt; n_commits++;
    if (ckpt_thread && wal_pages >= 1000) {
        pthread_mutex_lock(&ck_lock);
        if (!ck_busy && !ck_request) { ck_request = 1; pthread_cond_signal(&ck_cond); }
        pthread_mutex_unlock(&ck_lock);
    }
}

/* ---------- output ---------- */
static void set_events(conn_t *c, int out) {
    if (c->want_out == out || c->dead) return;
    struct epoll_event ev = {.events = EPOLLIN | (out ? EPOLLOUT : 0), .data.ptr = c};
    epoll_ctl(epfd, EPOLL_CTL_MOD, c->fd, &ev);
    c->want_out = out;
}
/* Write what is pending; returns 1 if everything was written. Caller holds c->lock (threads=2). */
static int flush_out(conn_t *c) {
    while (c->out.off < c->out.len) {
        ssize_t w = send(c->fd, c->out.p + c->out.off, c->out.len - c->out.off, MSG_NOSIGNAL);
        if (w > 0) { c->out.off += w; continue; }
        if (w < 0 && errno == EINTR) continue;
        if (w < 0 && errno == EAGAIN) return 0;
        c->out.off = c->out.len = 0; return 1; /* peer gone: drop */
    }
    c->out.off = c->out.len = 0;
    return 1;
}

/* Render the batch's responses into the connections' out buffers and log lines; write them. */
static buf_t logbuf;
static conn_t **touched; static size_t ntouched, captouched;
static int nthreads = 1;
static void respond_batches(batch_t *list, const stamp_t *st) {
    size_t datelen = strlen(st->date);
    ntouched = 0;
    for (batch_t *b = list; b; b = b->next) {
    const char *a = b->arena.p;
    for (size_t i = 0; i < b->n; i++) {
        item_t *it = &b->items[i];
        conn_t *c = it->c;
        if (nthreads == 2) pthread_mutex_lock(&c->lock);
        buf_t *o = &c->out;
        if (o->len == 0) { /* first response for this connection in the batch */
            if (ntouched == captouched) { captouched = captouched ? captouched * 2 : 256; touched = realloc(touched, captouched * sizeof *touched); }
            touched[ntouched++] = c;
        }
        if (it->status == 200) {
            int m = it->member;
            const char *head = heads[m]; size_t hl = head_len[m];
            buf_reserve(o, hl + datelen + 4 + body_len[m]);
            memcpy(o->p + o->len, head, hl); o->len += hl;
            memcpy(o->p + o->len, st->date, datelen); o->len += datelen;
            memcpy(o->p + o->len, "\r\n\r\n", 4); o->len += 4;
            memcpy(o->p + o->len, bodies[m], body_len[m]); o->len += body_len[m];
            answered_200++;
            char line[512];
            int ll = snprintf(line, sizeof line, "%s%03dZ INFO Routed call id=%.*s member=%s pool=%s request.id=%016llx\n",
                              st->logsec, st->ms, (int)it->id_len, a + it->id_off, MEMBERS_REDACTED[m], POOL, (unsigned long long)it->rid);
            buf_put(&logbuf, line, ll);
        } else {
            const char *r = it->status == 403 ? R403 : it->status == 404 ? R404 : R400;
            buf_puts(o, r);
            answered_other++;
        }
        if (nthreads == 2) pthread_mutex_unlock(&c->lock);
    }
    }
    for (size_t i = 0; i < ntouched; i++) {
        conn_t *c = touched[i];
        if (nthreads == 2) pthread_mutex_lock(&c->lock);
        if (c->out.off == 0 && !c->want_out) { /* nothing was pending before: write now */
            if (!flush_out(c)) {
                if (nthreads == 2) { /* the main thread owns epoll registration: ask it */
                    struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT, .data.ptr = c};
                    if (!c->dead) epoll_ctl(epfd, EPOLL_CTL_MOD, c->fd, &ev);
                    c->want_out = 1;
                } else set_events(c, 1);
            }
        }
        if (nthreads == 2) pthread_mutex_unlock(&c->lock);
    }
    if (nthreads == 2) /* the main thread may now close connections that died meanwhile */
        for (batch_t *b = list; b; b = b->next)
            for (size_t i = 0; i < b->n; i++) __atomic_sub_fetch(&b->items[i].c->refs, 1, __ATOMIC_RELEASE);
    if (logbuf.len) {
        size_t off = 0;
        while (off < logbuf.len) { ssize_t w = write(2, logbuf.p + off, logbuf.len - off); if (w <= 0) { if (errno == EINTR) continue; break; } off += w; }
        logbuf.len = 0;
    }
}

/* ---------- request parsing ---------- */
static int rr_position; /* round-robin position, in memory */
static void parse_requests(conn_t *c, batch_t *b) {
    size_t pos = 0;
    for (;;) {
        char *p = c->in.p + pos; size_t avail = c->in.len - pos;
        if (avail < 4) break;
        char *end = memmem(p, avail, "\r\n\r\n", 4);
        if (!end) { if (avail > MAX_HEAD) { c->dead = 1; } break; }
        size_t headlen = end + 4 - p;
        long clen = -1; const char *sig = NULL; size_t siglen = 0; int chunked = 0;
        char *line = memchr(p, '\n', headlen) + 1; /* skip the request line */
        while (line < end) {
            char *eol = memchr(line, '\r', end + 2 - line);
            char *colon = memchr(line, ':', eol - line);
            if (colon) {
                size_t nl = colon - line; char *v = colon + 1;
                while (v < eol && (*v == ' ' || *v == '\t')) v++;
                char *ve = eol; while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t')) ve--;
                if (nl == 14 && strncasecmp(line, "Content-Length", 14) == 0) {
                    clen = 0; for (char *q = v; q < ve; q++) { if (*q < '0' || *q > '9' || clen > MAX_BODY) { clen = -2; break; } clen = clen * 10 + (*q - '0'); }
                } else if (nl == 22 && strncasecmp(line, "X-SignalWire-Signature", 22) == 0) {
                    sig = v; siglen = ve - v;
                } else if (nl == 17 && strncasecmp(line, "Transfer-Encoding", 17) == 0) chunked = 1;
            }
            line = eol + 2;
        }
        if (clen < -1 || clen > MAX_BODY || chunked) { c->dead = 1; break; } /* unsupported: close */
        if (clen < 0) clen = 0;
        if (avail < headlen + (size_t)clen) { buf_reserve(&c->in, headlen + clen - avail); break; } /* wait for the body */
        const char *body = p + headlen;
        item_t it = {.c = c, .rid = ++next_rid};
        if (!(avail >= 12 && memcmp(p, "POST /voice ", 12) == 0)) it.status = 404;
        else if (!sig || !signature_ok(body, clen, sig, siglen)) it.status = 403;
        else {
            const char *id, *from, *to; size_t idl, froml, tol;
            if (!json_str(body, clen, "call_id", &id, &idl) || !json_str(body, clen, "from_number", &from, &froml) ||
                !json_str(body, clen, "to_number", &to, &tol)) it.status = 400;
            else {
                it.status = 200;
                it.member = rr_position; rr_position = (rr_position + 1) % 3;
                it.id_off = arena_put(b, id, idl); it.id_len = idl;
                it.from_off = arena_put(b, from, froml); it.from_len = froml;
                it.to_off = arena_put(b, to, tol); it.to_len = tol;
                b->decisions++; b->last_member = it.member;
            }
        }
        batch_add(b, it);
        pos += headlen + clen;
    }
    if (pos) { memmove(c->in.p, c->in.p + pos, c->in.len - pos); c->in.len -= pos; }
}

/* ---------- threads=2: the committer ---------- */
/* The main thread queues each turn's batch; the committer takes every batch queued since its last
 * transaction, commits them in one transaction and writes their responses. */
static pthread_mutex_t q_lock = PTHREAD_MUTEX_INITIALIZER; static pthread_cond_t q_cond = PTHREAD_COND_INITIALIZER;
static batch_t *q_head, *q_tail, *q_free;
static int q_stop, q_busy;
static void stamp(stamp_t *st) {
    update_time();
    st->time = now_real; st->ms = now_ms;
    size_t n = strlen(date_hdr) - 2; memcpy(st->date, date_hdr, n); st->date[n] = 0; /* without CRLF */
    strcpy(st->logsec, log_sec);
}
static batch_t *batch_get(void) {
    if (nthreads == 1) { static batch_t single; return &single; }
    pthread_mutex_lock(&q_lock);
    batch_t *b = q_free; if (b) q_free = b->next;
    pthread_mutex_unlock(&q_lock);
    if (!b) b = calloc(1, sizeof *b);
    b->next = NULL;
    return b;
}
static void *committer(void *arg) {
    (void)arg;
    pthread_mutex_lock(&q_lock);
    for (;;) {
        while (!q_head && !q_stop) pthread_cond_wait(&q_cond, &q_lock);
        if (!q_head) break;
        batch_t *list = q_head; q_head = q_tail = NULL; q_busy = 1;
        pthread_mutex_unlock(&q_lock);
        stamp_t st; stamp(&st);
        commit_batches(list, &st);
        respond_batches(list, &st);
        batch_t *last = list;
        for (batch_t *b = list; b; b = b->next) { batch_clear(b); last = b; }
        pthread_mutex_lock(&q_lock);
        last->next = q_free; q_free = list; q_busy = 0;
    }
    pthread_mutex_unlock(&q_lock);
    return NULL;
}

static void close_conn(conn_t *c) {
    close(c->fd);
    free(c->in.p); free(c->out.p);
    pthread_mutex_destroy(&c->lock);
    free(c);
}

int main(int argc, char **argv) {
    if (argc < 3) { fprintf(stderr, "usage: %s PORT DB [threads]\n", argv[0]); return 2; }
    int port = atoi(argv[1]);
    if (argc > 3) nthreads = atoi(argv[3]);
    signal(SIGPIPE, SIG_IGN);
    struct sigaction sa = {.sa_handler = on_term}; sigaction(SIGTERM, &sa, NULL); sigaction(SIGINT, &sa, NULL);
    hmac_init(); make_bodies(); db_open(argv[2]);

    int ls = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0); int one = 1;
    setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(port)}; addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(ls, (struct sockaddr *)&addr, sizeof addr) < 0) die("bind");
    if (listen(ls, 1024) < 0) die("listen");
    epfd = epoll_create1(0);
    struct epoll_event lev = {.events = EPOLLIN, .data.ptr = NULL}; epoll_ctl(epfd, EPOLL_CTL_ADD, ls, &lev);

    pthread_t th;
    if (nthreads == 2) pthread_create(&th, NULL, committer, NULL);
    conn_t **dead = NULL; size_t ndead = 0, capdead = 0;
    fprintf(stdout, "READY %d\n", port); fflush(stdout);

    struct epoll_event evs[MAX_EVENTS];
    while (!stop_flag) {
        /* threads=2: dead connections wait until no item in flight references them; poll for that
           only while some are waiting */
        int n = epoll_wait(epfd, evs, MAX_EVENTS, ndead && nthreads == 2 ? 10 : -1);
        if (n < 0) { if (errno == EINTR) continue; die("epoll_wait"); }
        n_turns++;
        batch_t *b = batch_get();
        for (int i = 0; i < n; i++) {
            conn_t *c = evs[i].data.ptr;
            if (c == NULL) { /* accept */
                for (;;) {
                    int fd = accept4(ls, NULL, NULL, SOCK_NONBLOCK);
                    if (fd < 0) break;
                    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                    conn_t *nc = calloc(1, sizeof *nc); nc->fd = fd; pthread_mutex_init(&nc->lock, NULL);
                    buf_reserve(&nc->in, 16384);
                    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = nc}; epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev);
                }
                continue;
            }
            if (c->dead) continue;
            if (evs[i].events & EPOLLOUT) {
                if (nthreads == 2) pthread_mutex_lock(&c->lock);
                if (flush_out(c)) {
                    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
                    epoll_ctl(epfd, EPOLL_CTL_MOD, c->fd, &ev); c->want_out = 0;
                }
                if (nthreads == 2) pthread_mutex_unlock(&c->lock);
            }
            if (evs[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
                for (;;) {
                    buf_reserve(&c->in, 4096);
                    ssize_t r = read(c->fd, c->in.p + c->in.len, c->in.cap - c->in.len);
                    if (r > 0) { c->in.len += r; if (c->in.len < c->in.cap) break; continue; } /* short read: drained */
                    if (r < 0 && errno == EINTR) continue;
                    if (r < 0 && errno == EAGAIN) break;
                    c->dead = 1; break; /* EOF or error */
                }
                size_t before = b->n;
                parse_requests(c, b);
                if (nthreads == 2 && b->n > before) __atomic_add_fetch(&c->refs, (int)(b->n - before), __ATOMIC_RELAXED);
                if (c->dead) {
                    if (ndead == capdead) { capdead = capdead ? capdead * 2 : 64; dead = realloc(dead, capdead * sizeof *dead); }
                    dead[ndead++] = c;
                    epoll_ctl(epfd, EPOLL_CTL_DEL, c->fd, NULL);
                }
            }
        }
        if (nthreads == 1) {
            if (b->n) {
                stamp_t st; stamp(&st);
                b->next = NULL;
                commit_batches(b, &st);
                respond_batches(b, &st);
                batch_clear(b);
            }
            for (size_t i = 0; i < ndead; i++) close_conn(dead[i]);
            ndead = 0;
        } else {
            pthread_mutex_lock(&q_lock);
            if (b->n) {
                if (q_tail) q_tail->next = b; else q_head = b;
                q_tail = b;
                if (!q_busy) pthread_cond_signal(&q_cond);
            } else { b->next = q_free; q_free = b; }
            pthread_mutex_unlock(&q_lock);
            size_t keep = 0;
            for (size_t i = 0; i < ndead; i++) {
                if (__atomic_load_n(&dead[i]->refs, __ATOMIC_ACQUIRE) == 0) close_conn(dead[i]); else dead[keep++] = dead[i];
            }
            ndead = keep;
        }
    }
    if (nthreads == 2) {
        pthread_mutex_lock(&q_lock); q_stop = 1; pthread_cond_broadcast(&q_cond); pthread_mutex_unlock(&q_lock);
        pthread_join(th, NULL);
    }
    if (ckpt_thread) {
        pthread_mutex_lock(&ck_lock); ck_stop = 1; pthread_cond_broadcast(&ck_cond); pthread_mutex_unlock(&ck_lock);
        pthread_join(ck_th, NULL);
    }
    sqlite3_finalize(st_begin); sqlite3_finalize(st_commit); sqlite3_finalize(st_insert); sqlite3_finalize(st_upsert);
    sqlite3_close(db);
    fprintf(stdout, "ANSWERED_200 %llu OTHER %llu\n", (unsigned long long)answered_200, (unsigned long long)answered_other);
    fprintf(stdout, "STATS turns %llu commits %llu (%.1f decisions/commit) commit time %.3f s (mean %.1f us, max %.2f ms)\n",
            (unsigned long long)n_turns, (unsigned long long)n_commits, n_commits ? (double)answered_200 / n_commits : 0.0,
            commit_time, n_commits ? commit_time / n_commits * 1e6 : 0.0, commit_max * 1e3);
    fprintf(stdout, "CKPT thread=%d checkpoints %llu time %.3f s (max %.2f ms), largest WAL %d pages\n",
            ckpt_thread, (unsigned long long)n_ckpt, ckpt_time, ckpt_max * 1e3, wal_max);
    fflush(stdout);
    return 0;
}
