/* rst_evidence.c - forged and middlebox RSTs (see rst_evidence.h).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "rst_evidence.h"

#include <stdio.h>
#include <string.h>

/* An IP ID step this large is another counter, not the next of a run. */
#define ID_STEP_MAX 1024
/* How many of an endpoint's latest RSTs its later packets contradict. */
#define RST_CREDIT_MAX 8

static void learn(tl_ip_baseline_t *b, const tl_segment_t *seg)
{
    if (seg->ip_version == 0)
        return;
    if (b->ttl_samples == 0)
        b->ttl = seg->ip_ttl;
    else if (b->ttl != seg->ip_ttl)
        b->ttl_varied = 1;
    if (b->ttl_samples < 255)
        b->ttl_samples++;

    if (seg->ip_version != 4)
        return;
    uint16_t step = (uint16_t)(seg->ip_id - b->last_id);
    bool forward = b->ttl_samples > 1 && seg->ip_id != 0 && step >= 1 && step <= ID_STEP_MAX;
    if (forward) {
        if (b->id_run < 127)
            b->id_run++;
        if (step > b->id_max_step)
            b->id_max_step = step > 255 ? 255 : (uint8_t)step;
    } else {
        b->id_run = 0;
        b->id_max_step = 0;
    }
    b->last_id = seg->ip_id;
}

static void compare(const tl_ip_baseline_t *b, const tl_segment_t *seg, tl_rst_evidence_t *ev)
{
    if (seg->ip_version == 0)
        return;
    if (b->ttl_samples >= TL_RST_TTL_SAMPLES && !b->ttl_varied) {
        ev->flags |= TL_RSTEV_TTL_KNOWN;
        ev->ttl_expected = b->ttl;
        if (seg->ip_ttl != b->ttl) {
            ev->flags |= TL_RSTEV_TTL_MISMATCH;
            if (seg->ip_ttl < b->ttl)
                ev->flags |= TL_RSTEV_TTL_BELOW;
        }
    }
    if (seg->ip_version == 4 && b->id_run >= TL_RST_ID_RUN) {
        ev->flags |= TL_RSTEV_ID_SEQUENTIAL;
        int gap = (int16_t)(uint16_t)(seg->ip_id - b->last_id);
        int allowed = 4 * b->id_max_step > 64 ? 4 * b->id_max_step : 64;
        ev->ip_id_gap = (int16_t)gap;
        if (gap <= 0 || gap > allowed)
            ev->flags |= TL_RSTEV_ID_MISMATCH;
    }
}

/* The latest RST from endpoint `from`. */
static tl_rst_evidence_t *latest_from(const tl_rst_track_t *t, int from)
{
    for (tl_rst_evidence_t *ev = t->rsts; ev; ev = ev->next)
        if (ev->from == from)
            return ev;
    return NULL;
}

void tl_rst_observe(tl_rst_track_t *t, const tl_segment_t *seg, tl_rst_evidence_t *ev)
{
    int from = seg->from & 1;
    if (!(seg->flags & TL_RST)) {
        /* The endpoint they named is still talking: every earlier RST in its
         * name (two spoofed in a row are both contradicted), the latest few
         * only, so that an RST storm costs no walk per packet. */
        int credited = 0;
        for (tl_rst_evidence_t *ev = t->rsts; ev && credited < RST_CREDIT_MAX; ev = ev->next) {
            if (ev->from != from)
                continue;
            credited++;
            if (ev->later_packets < UINT16_MAX)
                ev->later_packets++;
        }
        learn(&t->ep[from], seg);
        return;
    }
    if (!ev)
        return;
    memset(ev, 0, sizeof *ev);
    ev->time = seg->time;
    ev->frame = seg->frame;
    ev->from = (uint8_t)from;
    ev->ttl = seg->ip_ttl;
    compare(&t->ep[from], seg, ev);
    tl_rst_evidence_t *other = latest_from(t, !from);
    if (other && seg->time - other->time <= TL_RST_BOTH_WAYS_WINDOW && other->later_packets == 0) {
        ev->flags |= TL_RSTEV_BOTH_WAYS;
        other->flags |= TL_RSTEV_BOTH_WAYS;
    }
    ev->next = t->rsts;
    t->rsts = ev;
}

bool tl_rst_suspect(const tl_rst_evidence_t *ev, bool capture_complete)
{
    /* A real stack writes its RSTs with the TTL of its other packets: a
     * different TTL is enough. The other signs each have innocent causes (a
     * stack without a socket writes IP ID 0; a stateless scanner's kernel
     * resets the SYN-ACK its user-space sender then talks over; two aborts
     * can cross): two of them are needed. */
    if (ev->flags & TL_RSTEV_TTL_MISMATCH)
        return true;
    int signs = ((ev->flags & TL_RSTEV_ID_MISMATCH) != 0) + ((ev->flags & TL_RSTEV_BOTH_WAYS) != 0) +
                (capture_complete && ev->later_packets > 0);
    return signs >= 2;
}

void tl_rst_evidence_words(const tl_rst_evidence_t *ev, bool capture_complete, char *buf, unsigned size)
{
    const char *words[4];
    int n = 0;
    if (ev->flags & TL_RSTEV_TTL_MISMATCH)
        words[n++] = "ttl";
    if (ev->flags & TL_RSTEV_ID_MISMATCH)
        words[n++] = "ip_id";
    if (capture_complete && ev->later_packets > 0)
        words[n++] = "sender_continued";
    if (ev->flags & TL_RSTEV_BOTH_WAYS)
        words[n++] = "both_ways";
    if (size == 0)
        return;
    buf[0] = '\0';
    for (int i = 0; i < n; i++) {
        size_t used = strlen(buf);
        snprintf(buf + used, size - used, "%s%s", i ? "," : "", words[i]);
    }
}
