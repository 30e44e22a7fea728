/* fixture.h - feed a connection segment by segment and check annotations.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TCPLIFE_UNIT_FIXTURE_H
#define TCPLIFE_UNIT_FIXTURE_H

#include "harness.h"
#include "lifecycle.h"
#include "lifecycle_names.h"

/* Times are milliseconds after T0 (2023-11-14, like a real capture). */
#define T0 (INT64_C(1700000000) * TL_NS_PER_SEC)
#define MS(x) (T0 + (tl_time_t)(x) * INT64_C(1000000))
#define SEC(x) ((tl_time_t)(x) * TL_NS_PER_SEC)

#define TIME_WAIT_S 60
#define CLOSE_WAIT_WARN_S 5

/* Flag combinations. */
#define F_SYN TL_SYN
#define F_SA (TL_SYN | TL_ACK)
#define F_A TL_ACK
#define F_PA (TL_PSH | TL_ACK)
#define F_FA (TL_FIN | TL_ACK)
#define F_R TL_RST
#define F_RA (TL_RST | TL_ACK)

/* Default sequence numbers: client ISN 1000, server ISN 5000. */
#define CI UINT32_C(1000)
#define SI UINT32_C(5000)

#define FX_MAX 64

typedef struct {
    tl_conn_t c;
    tl_annotation_t ann[FX_MAX + 1]; /* ann[frame], frame numbers from 1 */
    int n;                           /* segments fed */
    uint16_t port[2];                /* ports of endpoint 0 and 1 */
    uint32_t window;                 /* window of the next segment */
} fx_t;

void fx_init(fx_t *f, uint16_t port0, uint16_t port1);
/* Build (without feeding) the segment the next call to fx_seg would feed. */
tl_segment_t fx_make(const fx_t *f, int from, uint8_t flags, uint32_t seq, uint32_t ack,
                     uint32_t len, tl_time_t time);
/* Feed one segment from endpoint `from`; returns its annotation (ann[frame]). */
tl_annotation_t *fx_seg(fx_t *f, int from, uint8_t flags, uint32_t seq, uint32_t ack,
                        uint32_t len, tl_time_t time);
tl_summary_t fx_summary(const fx_t *f, tl_time_t capture_end);

void check_ann(int line, const tl_annotation_t *a, const char *phase, const char *step,
               int handshake_step, int close_step, const char *sender, const char *closer,
               const char *state_client, const char *state_server, unsigned flags,
               const char *rst_kind);
void check_summary(int line, const tl_summary_t *s, const char *outcome, const char *close_style,
                   const char *active_closer, const char *state_client,
                   const char *state_server, const char *zeek_state, const char *history);
void check_refs(int line, const tl_conn_t *c, uint32_t syn, uint32_t syn_ack, uint32_t hs_ack,
                uint32_t fin_active, uint32_t fin_passive, uint32_t last_ack, uint32_t rst);

#define ANN(a, ...) check_ann(__LINE__, (a), __VA_ARGS__)
#define SUMMARY(s, ...) check_summary(__LINE__, (s), __VA_ARGS__)
#define REFS(c, ...) check_refs(__LINE__, (c), __VA_ARGS__)

/* The usual connection: client endpoint 0 (port 40000), server endpoint 1
 * (port 80). Frames 1-3 handshake, 4-5 data both ways, 6 client ACK; at the
 * end the client has sent up to 1101 and the server up to 5201. */
void fx_establish(fx_t *f);

#endif
