/* lifecycle.h - the TCP lifecycle core: a per-connection state machine.
 *
 * Pure C, no Wireshark include: the epan layer feeds it one segment at a time
 * (who sent it, flags, raw seq/ack, payload length, window, time) and gets back
 * the per-packet annotation. The model is the capture point's: a segment is
 * taken as sent and received the moment it is seen, so the states reported on
 * a packet are both endpoints' RFC 9293 states right after it.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TCPLIFE_LIFECYCLE_H
#define TCPLIFE_LIFECYCLE_H

#include <stdbool.h>
#include <stdint.h>

#include "tcp_options.h"

#ifdef __cplusplus
extern "C" {
#endif

/* RFC 9293 states, plus UNKNOWN before any evidence. */
typedef enum {
    TL_STATE_UNKNOWN = 0,
    TL_STATE_LISTEN,
    TL_STATE_SYN_SENT,
    TL_STATE_SYN_RECEIVED,
    TL_STATE_ESTABLISHED,
    TL_STATE_FIN_WAIT_1,
    TL_STATE_FIN_WAIT_2,
    TL_STATE_CLOSE_WAIT,
    TL_STATE_CLOSING,
    TL_STATE_LAST_ACK,
    TL_STATE_TIME_WAIT,
    TL_STATE_CLOSED,
    TL_STATE_COUNT
} tl_state_t;

typedef enum {
    TL_PHASE_HANDSHAKE = 0,
    TL_PHASE_ESTABLISHED,
    TL_PHASE_CLOSING,
    TL_PHASE_CLOSED,
    TL_PHASE_RESET,
    TL_PHASE_MIDSTREAM,
    TL_PHASE_COUNT
} tl_phase_t;

typedef enum {
    TL_STEP_SYN = 0,
    TL_STEP_SYN_RETRANSMISSION,
    TL_STEP_SYN_ACK,
    TL_STEP_SYN_ACK_RETRANSMISSION,
    TL_STEP_HANDSHAKE_ACK,
    TL_STEP_DATA,
    TL_STEP_ACK,
    TL_STEP_FIN_ACTIVE,
    TL_STEP_FIN_ACTIVE_ACK,
    TL_STEP_FIN_PASSIVE,
    TL_STEP_FIN_PASSIVE_MERGED,
    TL_STEP_FIN_SIMULTANEOUS,
    TL_STEP_LAST_ACK,
    TL_STEP_FIN_RETRANSMISSION,
    TL_STEP_RST,
    TL_STEP_AFTER_CLOSE,
    TL_STEP_ICMP_QUOTE,
    TL_STEP_HANDSHAKE_ACK_IGNORED, /* a third ACK the server did not act on */
    TL_STEP_KEEPALIVE,
    TL_STEP_KEEPALIVE_ACK,
    TL_STEP_ZERO_WINDOW_PROBE,
    TL_STEP_ZERO_WINDOW_PROBE_ACK,
    TL_STEP_CHALLENGE_ACK, /* the ACK answering an RST not at RCV.NXT (RFC 5961 3.2) */
    TL_STEP_COUNT
} tl_step_t;

typedef enum {
    TL_ROLE_CLIENT = 0,
    TL_ROLE_SERVER = 1
} tl_role_t;

typedef enum {
    TL_CLOSER_NONE = 0,
    TL_CLOSER_ACTIVE,
    TL_CLOSER_PASSIVE
} tl_closer_t;

typedef enum {
    TL_RST_NONE = 0,
    TL_RST_REFUSED,
    TL_RST_HANDSHAKE_ABORT,
    TL_RST_ABORT,
    TL_RST_AFTER_FIN,
    TL_RST_OUT_OF_WINDOW,
    TL_RST_MIDSTREAM,
    TL_RST_COUNT
} tl_rst_kind_t;

typedef enum {
    TL_OUTCOME_COMPLETE = 0,
    TL_OUTCOME_RESET,
    TL_OUTCOME_REFUSED,
    TL_OUTCOME_SYN_UNANSWERED,
    TL_OUTCOME_HANDSHAKE_INCOMPLETE,
    TL_OUTCOME_HALF_CLOSED,
    TL_OUTCOME_OPEN,
    TL_OUTCOME_MIDSTREAM_CLOSED,
    TL_OUTCOME_MIDSTREAM_OPEN,
    TL_OUTCOME_COUNT
} tl_outcome_t;

typedef enum {
    TL_CLOSE_STYLE_FOUR_WAY = 0,
    TL_CLOSE_STYLE_THREE_WAY,
    TL_CLOSE_STYLE_SIMULTANEOUS,
    TL_CLOSE_STYLE_HALF,
    TL_CLOSE_STYLE_RST,
    TL_CLOSE_STYLE_NONE,
    TL_CLOSE_STYLE_COUNT
} tl_close_style_t;

typedef enum {
    TL_ACTIVE_CLOSER_NONE = 0,
    TL_ACTIVE_CLOSER_CLIENT,
    TL_ACTIVE_CLOSER_SERVER,
    TL_ACTIVE_CLOSER_BOTH,
    TL_ACTIVE_CLOSER_COUNT
} tl_active_closer_t;

/* TCP flag bits as on the wire. */
enum {
    TL_FIN = 0x01,
    TL_SYN = 0x02,
    TL_RST = 0x04,
    TL_PSH = 0x08,
    TL_ACK = 0x10
};

/* Nanoseconds since the epoch; the epan layer converts pinfo->abs_ts. */
typedef int64_t tl_time_t;
#define TL_NS_PER_SEC INT64_C(1000000000)

/* One segment as seen at the capture point. `from` names the sending endpoint
 * by the connection's own numbering: endpoint 0 is the one that sent the first
 * segment seen, endpoint 1 its peer (the epan layer decides by address/port). */
typedef struct {
    uint8_t from;
    uint8_t flags;           /* TL_SYN | TL_ACK | ... */
    uint16_t src_port;
    uint16_t dst_port;
    uint32_t seq;            /* raw, absolute */
    uint32_t ack;            /* raw, absolute; meaningful only with TL_ACK */
    uint32_t len;            /* payload bytes */
    uint32_t window;         /* advertised window, already scaled */
    uint32_t frame;          /* frame number, for the links */
    tl_time_t time;
    /* What the state machine does not need but other rooms of the core do
     * (options, RST forensics); zero when unknown. */
    uint8_t tcp_flags;       /* the whole flags byte: CWR ECE URG ACK PSH RST SYN FIN */
    uint8_t ip_version;      /* 4 or 6 for the IP header that carried it, 0 unknown */
    uint8_t ip_ttl;          /* its TTL or hop limit */
    uint16_t ip_id;          /* its IPv4 identification */
    uint8_t options_len;     /* TCP option bytes (as captured, at most 40) */
    const uint8_t *options;  /* valid only during the call that is handed the segment */
    /* The same options already parsed (the epan layer parses a SYN's once for
     * all the rooms that read them), or NULL: see tl_segment_options(). */
    const tl_tcp_options_t *parsed_options;
} tl_segment_t;

/* A segment's parsed options: the ones it carries, or parsed into `scratch`. */
static inline const tl_tcp_options_t *tl_segment_options(const tl_segment_t *seg, tl_tcp_options_t *scratch)
{
    if (seg->parsed_options)
        return seg->parsed_options;
    tl_tcp_options_parse(seg->options, seg->options_len, scratch);
    return scratch;
}

/* Per-packet annotation flags. */
enum {
    TL_ANN_MERGED_FIN_ACK = 1u << 0,
    TL_ANN_MISSING_THIRD_ACK = 1u << 1,
    TL_ANN_SIMULTANEOUS_OPEN = 1u << 2,
    TL_ANN_SIMULTANEOUS_CLOSE = 1u << 3,
    TL_ANN_ROLES_INFERRED = 1u << 4,
    TL_ANN_TIME_WAIT_START = 1u << 5,     /* tw_role enters TIME_WAIT: tl_time_wait_expiry() */
    TL_ANN_TIME_WAIT_REUSE = 1u << 6,     /* tl_time_wait_remaining() */
    TL_ANN_DATA_AFTER_FIN = 1u << 7,      /* sender already sent its FIN */
    TL_ANN_CLOSE_WAIT_LONG = 1u << 8,     /* passive FIN after a long CLOSE_WAIT */
    TL_ANN_HALF_OPEN = 1u << 9,           /* SYN-ACK never acknowledged (look-ahead) */
    TL_ANN_SYN_UNANSWERED = 1u << 10,     /* SYN never answered (look-ahead) */
    TL_ANN_MIDSTREAM_START = 1u << 11,    /* first packet of a mid-stream capture */
    TL_ANN_HANDSHAKE_COMPLETE = 1u << 12, /* this packet completes the handshake */
    TL_ANN_RETRANSMISSION = 1u << 13,     /* repeats an earlier control segment */
    TL_ANN_ACK_IGNORED = 1u << 14,        /* the server answers as if the handshake ACK
                                             (tl_conn_t.ignored_ack_frame) never came */
    TL_ANN_RST_CHALLENGED = 1u << 15      /* out_of_window RST inside the window but not at
                                             RCV.NXT: RFC 5961 challenge ACK */
};

/* What one packet is. Small on purpose: one is stored per TCP layer per frame. */
typedef struct {
    uint8_t phase;           /* tl_phase_t */
    uint8_t step;            /* tl_step_t */
    uint8_t handshake_step;  /* 0 = none, 1..3 */
    uint8_t close_step;      /* 0 = none, 1..4 */
    uint8_t sender;          /* tl_role_t */
    uint8_t closer;          /* tl_closer_t */
    uint8_t state_client;    /* tl_state_t after this packet */
    uint8_t state_server;
    uint8_t client_before;   /* tl_state_t before it, for "X -> Y" */
    uint8_t server_before;
    uint8_t rst_kind;        /* tl_rst_kind_t */
    uint8_t tw_role;         /* with TL_ANN_TIME_WAIT_START: who enters it (tl_role_t) */
    uint16_t flags;          /* TL_ANN_*: knowable when the packet is seen */
    uint16_t lookahead;      /* TL_ANN_*: verdicts later packets settled; valid
                                only once the whole capture has been read */
} tl_annotation_t;

/* Key packets of a connection (frame numbers, 0 = not seen). */
typedef enum {
    TL_REF_SYN = 0,
    TL_REF_SYN_ACK,
    TL_REF_HANDSHAKE_ACK,
    TL_REF_FIN_ACTIVE,
    TL_REF_FIN_PASSIVE,
    TL_REF_LAST_ACK,
    TL_REF_RST,
    TL_REF_COUNT
} tl_ref_t;

/* Per-endpoint tracking, indexed by segment `from`. */
typedef struct {
    uint8_t state;           /* tl_state_t */
    uint8_t syn_seen : 1;
    uint8_t fin_seen : 1;
    uint8_t fin_acked : 1;   /* the peer acknowledged this endpoint's FIN */
    uint8_t fin_retx_pending : 1; /* FIN repeated; the peer's next ACK re-acks it */
    uint8_t seq_known : 1;
    uint8_t ack_known : 1;
    uint8_t sent_anything : 1;
    uint8_t syn_ack_sent : 1;
    uint8_t rst_any : 1;     /* sent an RST, accepted or not (Zeek counts every one) */
    uint8_t probe_pending;   /* TL_STEP_KEEPALIVE / _ZERO_WINDOW_PROBE / _RST (challenged)
                                awaiting the peer's ACK */
    uint16_t port;
    uint32_t isn;            /* seq of its SYN */
    uint32_t next_seq;       /* highest seq + len (+SYN/FIN) it sent */
    uint32_t fin_seq;        /* seq of its FIN octet */
    uint32_t last_ack;       /* the last ack it sent: what it expects next */
    uint32_t window;         /* its last advertised window */
    uint32_t history_seen;   /* Zeek history letters already recorded */
    tl_time_t fin_received;  /* when the peer's FIN reached it (CLOSE_WAIT start) */
    tl_time_t time_wait_expiry;
} tl_endpoint_t;

typedef struct {
    tl_time_t time_wait;       /* TIME_WAIT length */
    tl_time_t close_wait_warn; /* CLOSE_WAIT longer than this is flagged */
} tl_config_t;

#define TL_HISTORY_MAX 24
#define TL_REVISABLE_MAX 6

/* A state the core assumed for one endpoint without proof (the peer is in
 * CLOSE_WAIT once an active FIN is seen; the client is ESTABLISHED once a
 * SYN-ACK is seen; the server is ESTABLISHED once the client's third ACK is
 * seen; a FIN is acknowledged once its ACK is seen), and the packets that
 * show it. A later packet can disprove it (crossing FINs; a SYN, SYN-ACK or
 * FIN retransmission; the server's RST from SYN_RECEIVED): the endpoint's
 * state is put back and these packets are corrected for the two-pass view.
 * The endpoint's own next segment that acts on the assumed state confirms
 * it. */
typedef struct {
    tl_annotation_t *records[TL_REVISABLE_MAX];
    uint8_t count;
    uint8_t open;
    uint8_t endpoint;        /* whose state is assumed (0/1) */
    uint8_t assumed;         /* tl_state_t shown on the records */
    uint8_t actual;          /* tl_state_t if the assumption is wrong */
} tl_revision_t;

/* One incarnation of a connection. */
typedef struct tl_conn {
    tl_endpoint_t ep[2];
    tl_config_t config;
    uint8_t client;                /* which endpoint (0/1) is the client */
    uint8_t roles_inferred : 1;
    uint8_t midstream : 1;         /* first packet was neither SYN nor SYN-ACK */
    uint8_t syn_ack_seen : 1;
    uint8_t handshake_complete : 1;
    uint8_t simultaneous_open : 1;
    uint8_t simultaneous_close : 1;
    uint8_t merged_fin_ack : 1;
    uint8_t reset : 1;             /* an accepted RST ended it */
    uint8_t reset_after_data : 1;  /* data had been seen when it did */
    uint8_t refused : 1;
    uint8_t ended_by_reuse : 1;    /* a new incarnation took its TIME_WAIT 4-tuple */
    uint8_t active_closer;         /* tl_active_closer_t */
    uint8_t rst_kind;              /* tl_rst_kind_t of the RST that ended it */
    uint8_t ignored_acks;          /* handshake ACKs the server did not act on */
    uint32_t assumed_ack_frame;    /* the third ACK the server is assumed to have taken */
    uint32_t ignored_ack_frame;    /* the last handshake ACK shown to be ignored */
    uint8_t history_len;
    char history[TL_HISTORY_MAX + 1]; /* Zeek-compatible, client upper case */
    uint32_t ref[TL_REF_COUNT];
    uint32_t packets;
    tl_time_t first_time;
    tl_time_t last_time;
    tl_time_t syn_time;
    tl_time_t syn_ack_time;
    tl_time_t handshake_ack_time;
    tl_time_t reset_time;          /* of the accepted RST that ended it */
    tl_time_t close_wait;          /* passive closer's CLOSE_WAIT, -1 = none */
    tl_time_t reuse_remaining;     /* TIME_WAIT left on the 4-tuple, -1 = no reuse */
    /* Earlier packets' annotations that later packets revise (owned by the
     * caller, who keeps one record per packet for the capture's lifetime). */
    tl_annotation_t *syn_annotation;
    tl_annotation_t *syn_ack_annotation;
    tl_revision_t revision;
} tl_conn_t;

void tl_conn_init(tl_conn_t *conn, const tl_config_t *config);

/* Feed one segment; fills `out`. `out` must stay valid as long as the
 * connection: later segments may revise it (look-ahead verdicts and the
 * simultaneous-close correction). */
void tl_conn_process(tl_conn_t *conn, const tl_segment_t *seg, tl_annotation_t *out);

/* Does `seg` open a new incarnation of this 4-tuple instead of belonging to
 * `conn` (a fresh SYN after a close, a reset or a given-up attempt)? */
bool tl_conn_is_new_incarnation(const tl_conn_t *conn, const tl_segment_t *seg);

/* Tie a fresh incarnation to the previous one on the same 4-tuple, before its
 * first segment `first`: a SYN inside the previous TIME_WAIT is a reuse, and
 * ends that TIME_WAIT. */
void tl_conn_link_previous(tl_conn_t *conn, tl_conn_t *previous, const tl_segment_t *first);

/* Connection-level verdicts, as of `capture_end` (the last packet's time).
 * `settled` says whether the verdict (outcome, close_style, active_closer,
 * state_client, state_server, zeek_state) can still change with packets not
 * read yet: true only when no later packet and no later capture end can
 * change it. Until then a single-pass view must show it as pending. The
 * history only grows (later letters are appended); duration and the counters
 * are "so far". */
typedef struct {
    uint8_t outcome;         /* tl_outcome_t */
    bool settled;
    uint8_t close_style;     /* tl_close_style_t */
    uint8_t active_closer;   /* tl_active_closer_t */
    uint8_t state_client;    /* tl_state_t at capture end */
    uint8_t state_server;
    const char *zeek_state;
    char history[TL_HISTORY_MAX + 2];
    tl_time_t duration;
    tl_time_t close_wait;    /* -1 = none */
} tl_summary_t;

void tl_conn_summarize(const tl_conn_t *conn, tl_time_t capture_end, tl_summary_t *out);

/* With TL_ANN_TIME_WAIT_START: when the TIME_WAIT that the packet seen at
 * `packet_time` starts ends (not stored per packet: it is always that). */
static inline tl_time_t tl_time_wait_expiry(const tl_conn_t *conn, tl_time_t packet_time)
{
    return packet_time + conn->config.time_wait;
}

/* With TL_ANN_TIME_WAIT_REUSE (the incarnation's first packet): how much of
 * the previous incarnation's TIME_WAIT was left. */
static inline tl_time_t tl_time_wait_remaining(const tl_conn_t *conn)
{
    return conn->reuse_remaining;
}

/* Endpoint index (0/1) of a role. */
static inline int tl_conn_endpoint_of(const tl_conn_t *conn, tl_role_t role)
{
    return role == TL_ROLE_CLIENT ? conn->client : !conn->client;
}

#ifdef __cplusplus
}
#endif

#endif
