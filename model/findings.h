/* findings.h - what `check` and `diff` report: a finding is one rule
 * (a zone rule or a built-in check TM1xx) broken by one pair of endpoints or
 * one object, with the source locations of the policy rules involved.
 *
 * Ownership: a tm_findings owns every string and array reachable from it (its
 * own arena); tm_findings_release() frees them. Strings passed to the
 * tm_findings_* functions are copied. */
#ifndef TM_FINDINGS_H
#define TM_FINDINGS_H

#include "model/base.h"

typedef enum {
	TM_SEV_INFO = 0,
	TM_SEV_LOW = 1,
	TM_SEV_MEDIUM = 2,
	TM_SEV_HIGH = 3,
	TM_SEV_CRITICAL = 4,
	TM_NSEV = 5,
} tm_severity;

/* "info", "low", "medium", "high", "critical" */
const char *tm_severity_name(tm_severity s);
bool tm_severity_parse(const char *s, tm_severity *out);

typedef struct tm_floc {
	tm_srcloc loc;    /* file:line:col of the policy rule (or object) */
	const char *what; /* e.g. "NetworkPolicy web/x egress rule 0" */
} tm_floc;

/* The observed record a finding rests on (TM124, require-mtls): where an
 * incident responder finds the packet or line that shows it. */
typedef struct tm_fevidence {
	const char *source;     /* kind of input: "pcap", "hubble", "zeek" */
	const char *file;       /* the input as given on the command line */
	const char *unit;       /* "packet" (a capture's frame number) or "line" (a flow log's) */
	uint64_t pos;           /* 1-based; 0 when not known (a record read back from a summary) */
	const char *transport;  /* "tcp", "udp" */
	const char *src_ip, *dst_ip; /* client and server as observed */
	uint16_t src_port, dst_port;
	int64_t time_us;        /* first seen, microseconds since the epoch */
	const char *shows;      /* what it shows: "plaintext", "TLS without a client certificate" */
	const char *uid;        /* Zeek's connection uid, or NULL */
	/* when the record above is not the one that established the connection
	 * (Zeek: the ssl.log line whose TLS facts decided it; Hubble: the event
	 * that showed plaintext, not the connection's first), that one: the
	 * conn.log or Hubble export and its line; NULL/0 otherwise */
	const char *conn_file;
	uint64_t conn_pos;      /* a line */
	/* when the record was read back from a flow summary (`flows -f json`),
	 * the summary and the line its record starts on; the fields above are
	 * then the observation its seen_in names. NULL/0 otherwise */
	const char *via_file;
	uint64_t via_pos;       /* a line */
} tm_fevidence;

typedef struct tm_finding {
	const char *rule;     /* zone rule name or built-in id (TM101) */
	tm_severity severity;
	const char *title;    /* the rule's title */
	const char *message;  /* what is wrong, for this occurrence */
	const char *subject;  /* object the finding is about when not a pair ("namespace data"); may be NULL */
	const char *src, *dst; /* endpoint display names ("ns/name[Kind]"); may be NULL */
	const char *conns;    /* NPA connection text; may be NULL */
	tm_floc *locations;
	size_t nlocations, cap_loc;
	const char *hint;     /* how to fix */
	const tm_fevidence *evidence; /* the observed record it rests on, or NULL */
	bool suppressed;
	const char *suppress_reason; /* from the trustmap.io/ignore annotation */
	const char *suppressed_by;   /* the annotated object */
} tm_finding;

/* Metadata of a rule that produced findings (SARIF tool.driver.rules). */
typedef struct tm_rule_info {
	const char *id;
	const char *name;     /* short kebab-case name */
	const char *title;
	const char *help;
	tm_severity severity; /* default severity */
} tm_rule_info;

/* What the analysis could not see or did not judge, stated in the report
 * itself and not only on stderr (which -q hides): kinds not analysed, files
 * skipped by --skip-invalid, a zone that matches nothing, namespaces without
 * a Namespace object, ... Every renderer of findings writes them. */
typedef struct tm_note {
	const char *code;     /* stable kebab-case id, e.g. "kinds-not-analysed" (docs/checks.md) */
	const char *message;  /* one sentence for people */
	tm_srcloc loc;        /* where it applies, or {0} */
} tm_note;

/* What one zone holds (check -v, the JSON `zones`, SARIF run properties):
 * the graph endpoints in it, by name. */
typedef struct tm_zone_members {
	const char *zone;     /* the zone's name */
	tm_srcloc loc;        /* where the zones file defines it, or {0} for a default zone */
	const char **members; /* endpoint names ("ns/name[Kind]", "a.b.c.d-w.x.y.z[External]"), sorted */
	size_t nmembers, cap_members;
} tm_zone_members;

typedef struct tm_findings {
	tm_arena arena;
	tm_finding *v;
	size_t n, cap;
	tm_rule_info *rules;  /* every rule that was evaluated, sorted by id */
	size_t nrules, cap_rules;
	tm_note *notes;       /* sorted by code, file, line, column, message (tm_findings_sort) */
	size_t nnotes, cap_notes;
	tm_zone_members *zones; /* every zone of the zones file (or the defaults), in its order */
	size_t nzones, cap_zones;
} tm_findings;

void tm_findings_init(tm_findings *f);
void tm_findings_release(tm_findings *f);
/* A new zeroed finding with the given fields copied; valid until the next add. */
tm_finding *tm_findings_add(tm_findings *f, const char *rule, tm_severity sev, const char *title,
			    const char *message);
/* Copies s into the findings' arena (NULL stays NULL). */
const char *tm_findings_str(tm_findings *f, const char *s);
void tm_finding_add_loc(tm_findings *f, tm_finding *fd, tm_srcloc loc, const char *what);
/* fd->evidence = a copy of ev (strings copied); NULL clears it. */
void tm_finding_set_evidence(tm_findings *f, tm_finding *fd, const tm_fevidence *ev);
/* "pcap a.pcap packet 4: tcp 10.0.0.1:40000 -> 10.0.0.2:443 at 2023-11-14T22:13:20.000000Z,
 * plaintext" (", uid C1" for Zeek; "zeek z/ssl.log line 3 (connection z/conn.log line 2): ..."
 * when conn_file is set): the text every renderer shows. */
void tm_fevidence_format(const tm_fevidence *ev, tm_buf *out);
/* Its first part, where the record is: "pcap a.pcap packet 4", "zeek z/ssl.log
 * line 3 (connection z/conn.log line 2)", "... (via summary s.json line 35)";
 * the drift checks (TM130-TM134) name their first record with it. */
void tm_fevidence_format_where(const tm_fevidence *ev, tm_buf *out);
void tm_findings_add_rule(tm_findings *f, const char *id, const char *name, const char *title,
			  const char *help, tm_severity sev);
const tm_rule_info *tm_findings_rule(const tm_findings *f, const char *id);
/* A note (strings copied); an identical note (code, location, message) is kept once. */
void tm_findings_add_note(tm_findings *f, const char *code, tm_srcloc loc, const char *fmt, ...) TM_PRINTF(4, 5);

/* A zone's entry (strings copied); members are added to the last one. */
tm_zone_members *tm_findings_add_zone(tm_findings *f, const char *zone, tm_srcloc loc);
void tm_zone_members_add(tm_findings *f, tm_zone_members *zm, const char *member);

/* Sort: severity (critical first), rule, subject, src, dst, message; locations
 * of each finding by file, line, column; rules by id. Duplicate locations are
 * dropped. */
void tm_findings_sort(tm_findings *f);

/* Stable identity for diff: "rule|subject|src|dst". Caller frees. */
char *tm_finding_key(const tm_finding *fd);

typedef struct tm_findings_summary {
	size_t total, suppressed;
	size_t by_sev[TM_NSEV];  /* not suppressed only */
} tm_findings_summary;

void tm_findings_summarize(const tm_findings *f, tm_findings_summary *s);
/* True when a non-suppressed finding has severity >= min. */
bool tm_findings_any_at_least(const tm_findings *f, tm_severity min);

/* Does an ignore annotation ("TM101,rule-name: reason") cover rule? On a
 * match *reason points into ann (reason_len bytes, may be 0). */
bool tm_ignore_matches(const char *ann, const char *rule, const char **reason, size_t *reason_len);
/* The names of an ignore annotation's list (before the ':'), one per call,
 * trimmed (possibly empty): *pos starts at 0; false after the last. */
bool tm_ignore_next(const char *ann, size_t *pos, const char **name, size_t *len);

/* If ann (an object's trustmap.io/ignore) covers fd->rule and fd is not yet
 * suppressed, mark it suppressed by object (e.g. "namespace data").
 * Returns whether ann covers the rule (also when fd was suppressed already). */
bool tm_finding_suppress(tm_findings *f, tm_finding *fd, const char *ann, const char *object);

#endif
