/* handshake_facts.h - what the opening of a connection tells an engineer:
 * how often the client tried its SYN and the server its SYN-ACK, how long the
 * client waited, handshake ACKs the server ignored (accept queue), SYN cookies,
 * and TCP Fast Open (RFC 7413).
 *
 * Pure C, no Wireshark include: fed each segment after tl_conn_process, with
 * the annotation the lifecycle core gave it. Connection facts, like
 * tl_conn_summarize's: final once the capture has been read, "so far" before.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TCPLIFE_HANDSHAKE_FACTS_H
#define TCPLIFE_HANDSHAKE_FACTS_H

#include "lifecycle.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    TL_SYN_ANSWER_NONE = 0,
    TL_SYN_ANSWER_SYN_ACK,
    TL_SYN_ANSWER_RST,          /* refused */
    TL_SYN_ANSWER_COUNT
} tl_syn_answer_t;

typedef enum {
    TL_TFO_DATA_NONE = 0,       /* no data in the SYN */
    TL_TFO_DATA_UNANSWERED,     /* data in the SYN, no SYN-ACK (yet) */
    TL_TFO_DATA_ACCEPTED,       /* the SYN-ACK acknowledges it (ack = ISN + 1 + length) */
    TL_TFO_DATA_NOT_ACCEPTED,   /* the SYN-ACK acknowledges only the SYN: sent again */
    TL_TFO_DATA_COUNT
} tl_tfo_data_t;

#define TL_TFO_COOKIE_MAX 16    /* RFC 7413 4.1.1: 4 to 16 bytes */

/* Lag of a SYN-ACK's timestamp behind the server's clock that only a Linux
 * SYN cookie explains (cookie_init_timestamp keeps the clock's upper bits and
 * puts the options in the low 6: up to 63 ms behind). */
#define TL_SYN_COOKIE_MIN_LAG_MS 5 /* above the jitter of 4 ms ticks (HZ=250) */
#define TL_SYN_COOKIE_MAX_LAG_MS 64

typedef struct {
    uint8_t syns;                /* SYNs the client sent, first one included */
    uint8_t syn_acks;            /* SYN-ACKs the server sent, first one included */
    uint8_t answer;              /* tl_syn_answer_t */
    uint8_t syn_cookie : 1;      /* the SYN-ACK was a SYN cookie (timestamp evidence) */
    uint8_t cookie_checked : 1;  /* the server's next segment after the SYN-ACK was seen */
    uint8_t syn_ack_has_ts : 1;
    uint8_t tfo_seen : 1;        /* any Fast Open option */
    uint8_t tfo_cookie_request : 1;
    uint8_t tfo_experimental : 1;
    uint8_t tfo_data;            /* tl_tfo_data_t */
    uint8_t tfo_cookie_len;
    uint8_t tfo_cookie[TL_TFO_COOKIE_MAX];
    uint32_t syn_data_len;       /* payload of the client's first SYN */
    uint32_t syn_ack_tsval;
    int32_t syn_cookie_lag_ms;   /* with syn_cookie */
    uint32_t syn_cookie_frame;   /* the server segment that showed it */
    tl_time_t first_syn;
    tl_time_t last_syn;
    tl_time_t answer_time;
    tl_time_t syn_ack_time;      /* first SYN-ACK */
    tl_time_t last_syn_ack;
} tl_handshake_facts_t;

void tl_handshake_facts_init(tl_handshake_facts_t *f);

/* One segment of the connection, after tl_conn_process gave it `ann`. */
void tl_handshake_facts_update(tl_handshake_facts_t *f, const tl_conn_t *c, const tl_segment_t *seg,
                               const tl_annotation_t *ann);

/* First SYN to the answer (SYN-ACK or RST); to the last SYN when none came.
 * -1 without a SYN. */
tl_time_t tl_handshake_syn_wait(const tl_handshake_facts_t *f);

const char *tl_syn_answer_name(unsigned v);
const char *tl_tfo_data_name(unsigned v);

#ifdef __cplusplus
}
#endif

#endif
