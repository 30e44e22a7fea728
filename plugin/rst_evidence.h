/* rst_evidence.h - who really sent an RST: the evidence that it was forged
 * or sent by a middlebox rather than by the endpoint whose address it bears.
 *
 * A middlebox that resets a connection (a firewall's `reject with tcp reset`,
 * an IDS, a censor) writes its own IP header: its TTL starts at its own
 * default and has crossed fewer hops than the endpoint's packets, its IP ID is
 * its own (Linux writes 0), and the endpoint it impersonates knows nothing of
 * it: it goes on sending. Injectors often reset both ends at the same moment.
 * Per endpoint this keeps the TTL of its packets and the run of its IP IDs;
 * each RST gets a record of how it compares.
 *
 * Pure C, no Wireshark include; fed after tl_conn_process. Only RSTs get a
 * record (owned by the caller); nothing is kept per other packet.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TCPLIFE_RST_EVIDENCE_H
#define TCPLIFE_RST_EVIDENCE_H

#include "lifecycle.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Evidence bits of one RST. */
enum {
    TL_RSTEV_TTL_KNOWN = 1u << 0,      /* the sender's earlier packets all had one TTL */
    TL_RSTEV_TTL_MISMATCH = 1u << 1,   /* ... and this RST's differs */
    TL_RSTEV_ID_SEQUENTIAL = 1u << 2,  /* the sender's IPv4 IDs ran in small steps */
    TL_RSTEV_ID_MISMATCH = 1u << 3,    /* ... and this RST's does not continue the run */
    TL_RSTEV_BOTH_WAYS = 1u << 4,      /* an RST went the other way at the same moment */
    TL_RSTEV_TTL_BELOW = 1u << 5       /* with TTL_MISMATCH: further away than the sender */
};

/* RSTs from both endpoints this close together are "at once". */
#define TL_RST_BOTH_WAYS_WINDOW (10 * TL_NS_PER_SEC / 1000)
/* Earlier packets needed for a TTL baseline / an IP ID run. */
#define TL_RST_TTL_SAMPLES 2
#define TL_RST_ID_RUN 3

typedef struct tl_rst_evidence {
    struct tl_rst_evidence *next; /* the connection's earlier RST */
    tl_time_t time;
    uint32_t frame;
    uint16_t later_packets;  /* non-RST segments from the named sender after it */
    int16_t ip_id_gap;       /* its IP ID minus the sender's last (with ID_SEQUENTIAL) */
    uint8_t flags;           /* TL_RSTEV_* */
    uint8_t from;            /* endpoint index it names as sender */
    uint8_t ttl;             /* its TTL / hop limit */
    uint8_t ttl_expected;    /* the sender's usual TTL (with TTL_KNOWN) */
} tl_rst_evidence_t;

/* What is known of one endpoint's IP headers. */
typedef struct {
    uint8_t ttl;
    uint8_t ttl_samples;     /* saturates at 255 */
    uint8_t ttl_varied : 1;  /* its TTLs differed: no baseline */
    uint8_t id_run : 7;      /* consecutive small forward steps of its IP ID (saturates) */
    uint8_t id_max_step;     /* largest step in the run */
    uint16_t last_id;
} tl_ip_baseline_t;

typedef struct {
    tl_ip_baseline_t ep[2];
    tl_rst_evidence_t *rsts;    /* the connection's RSTs, latest first */
} tl_rst_track_t;

/* Feed one segment after tl_conn_process. For an RST `ev` receives its
 * evidence and joins `rsts` (it must stay valid as long as the connection:
 * later segments add to it); for other segments `ev` is ignored and may be
 * NULL; an RST with a NULL `ev` is not recorded. */
void tl_rst_observe(tl_rst_track_t *t, const tl_segment_t *seg, tl_rst_evidence_t *ev);

/* Is the RST suspected not to come from the endpoint it names? The look-ahead
 * part (the sender went on sending) counts only once the capture is read. */
bool tl_rst_suspect(const tl_rst_evidence_t *ev, bool capture_complete);

/* The evidence bits as comma-separated words, e.g. "ttl,ip_id,continued". */
void tl_rst_evidence_words(const tl_rst_evidence_t *ev, bool capture_complete, char *buf, unsigned size);

#ifdef __cplusplus
}
#endif

#endif
