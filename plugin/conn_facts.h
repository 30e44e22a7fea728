/* conn_facts.h - the facts of a connection, per endpoint: what it sent
 * (packets, payload bytes, retransmitted segments), the options its SYN
 * announced, and how long it spent in each state (bcc tcpstates' view).
 *
 * Pure C, no Wireshark include. Fed one segment at a time, right after
 * tl_conn_process, with the annotation it produced; compact on purpose
 * (one of these per connection, nothing per packet).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TCPLIFE_CONN_FACTS_H
#define TCPLIFE_CONN_FACTS_H

#include "lifecycle.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The ECN bits of the TCP flags byte (tl_segment_t.tcp_flags). */
enum { TL_FLAG_ECE = 0x40, TL_FLAG_CWR = 0x80 };

/* Option bits of an endpoint's SYN (or SYN-ACK). */
enum {
    TL_FACT_SYN_SEEN = 1u << 0,   /* its SYN was captured: the bits below are known */
    TL_FACT_SACK_PERM = 1u << 1,
    TL_FACT_TIMESTAMPS = 1u << 2,
    TL_FACT_ECN_SETUP = 1u << 3,  /* ECN-setup SYN (ECE+CWR) or SYN-ACK (ECE, no CWR) */
    TL_FACT_FAST_OPEN = 1u << 4,  /* a Fast Open option (kind 34, or 254 magic 0xF989) */
    TL_FACT_MSS = 1u << 5,        /* `mss` is set */
    TL_FACT_WSCALE = 1u << 6      /* `wscale` is set */
};

/* The states whose dwell time is kept (TIME_WAIT has "left at the end"). */
#define TL_DWELL_SLOTS 5

typedef struct {
    uint64_t bytes;           /* payload bytes sent */
    uint32_t packets;         /* segments sent */
    uint32_t retransmissions; /* segments repeating data or a SYN/FIN already sent */
    uint32_t next_seq;        /* highest sequence end sent so far */
    uint16_t mss;
    uint8_t wscale;
    uint8_t options;          /* TL_FACT_* */
    uint8_t seq_known : 1;
    uint8_t timed_state : 7;  /* the state being timed since `since` */
    /* Distinct states passed through and the time spent in each, packed as
     * state << 59 | nanoseconds (5 bits of state, 18 years of time). */
    uint64_t dwell[TL_DWELL_SLOTS];
    tl_time_t since;
} tl_facts_endpoint_t;

typedef struct {
    tl_facts_endpoint_t ep[2]; /* indexed like tl_conn_t.ep */
} tl_facts_t;

/* After tl_conn_process(conn, seg, ann): counts the segment and times the
 * endpoints' states as the core left them. */
void tl_facts_process(tl_facts_t *f, const tl_conn_t *conn, const tl_segment_t *seg,
                      const tl_annotation_t *ann);

/* Time endpoint `ep` spent in `state` up to `now` (the capture end); -1 when
 * it never was in that state. TIME_WAIT and CLOSED are not timed. */
tl_time_t tl_facts_dwell(const tl_facts_t *f, int ep, unsigned state, tl_time_t now);

/* TIME_WAIT left at `now` for endpoint `ep`, or -1 when it is not in TIME_WAIT. */
tl_time_t tl_facts_time_wait_left(const tl_conn_t *conn, int ep, tl_time_t now);

/* The options of a SYN into `ep` (tcp_options.c parses them). */
void tl_facts_parse_syn_options(tl_facts_endpoint_t *ep, const uint8_t *opt, unsigned len);

#ifdef __cplusplus
}
#endif

#endif
