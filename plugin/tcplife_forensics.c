/* tcplife_forensics.c - the facts of a connection (tcplife.conn.client.* and
 * .server.*), the evidence on each RST of who really sent it (tcplife.rst.*),
 * and SYN-ACKs from a rewritten address (tcplife.conn.rewritten.*): feeding
 * the pure cores (conn_facts.c, rst_evidence.c) and rendering what they found.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "tcplife.h"
#include "field_groups.h"
#include "tree_items.h"
#include "lifecycle_names.h"

#include <epan/expert.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

/* RST records kept per connection: a reset storm on one 4-tuple costs no more. */
#define RST_RECORDS_MAX 32
/* A SYN-ACK this long after an unanswered SYN is not its answer. */
#define REWRITTEN_WINDOW (180 * TL_NS_PER_SEC)

/* The states bcc tcpstates times (TIME_WAIT has "time_wait_left" instead). */
#define TIMED_FIRST TL_STATE_SYN_SENT
#define TIMED_COUNT (TL_STATE_LAST_ACK - TL_STATE_SYN_SENT + 1)

enum { F_PACKETS, F_BYTES, F_RETX, F_SYN_OPTIONS, F_MSS, F_WSCALE, F_SACK_PERM, F_TIMESTAMPS,
       F_ECN_SETUP, F_FAST_OPEN, F_TIME_WAIT_LEFT, F_COUNT };

static int hf_fact[2][F_COUNT];
static int hf_dwell[2][TIMED_COUNT];
static int hf_rst_suspect = -1, hf_rst_evidence = -1, hf_rst_ttl_expected = -1;
static int hf_rst_ttl_delta = -1, hf_rst_ip_id_gap = -1, hf_rst_continued = -1;
static int hf_rst_both_ways = -1;
static int hf_rewritten_role = -1, hf_rewritten_frame = -1;
static int hf_endpoint[2] = { -1, -1 };
static gint ett_endpoint[2] = { -1, -1 };
static expert_field ei_rst_suspect = EI_INIT, ei_rewritten = EI_INIT;

static wmem_map_t *unanswered_syns; /* client ISN -> connection, per file */

/* ---- the first pass -------------------------------------------------------- */

static void forget_syn(tcplife_conn_t *conn)
{
    tcplife_forensics_t *f = &conn->forensics;
    const tl_endpoint_t *client = &conn->core.ep[conn->core.client];
    gpointer key = GUINT_TO_POINTER(client->isn);
    if (wmem_map_lookup(unanswered_syns, key) == conn)
        wmem_map_remove(unanswered_syns, key);
    f->syn_indexed = 0;
}

/* A SYN-ACK that does not answer its own connection's SYN but acknowledges
 * ISN + 1 of an unanswered SYN on another 4-tuple: a NAT or a load balancer
 * answered from another address or port. */
static void track_rewritten(tcplife_conn_t *conn, const tl_segment_t *seg)
{
    tcplife_forensics_t *f = &conn->forensics;
    uint8_t kind = seg->flags & (TL_SYN | TL_ACK | TL_RST);
    const tl_conn_t *c = &conn->core;

    if (kind == TL_SYN && !f->syn_indexed && !c->syn_ack_seen && seg->from == c->client &&
        f->rewritten_role == TCPLIFE_REWRITTEN_NONE) {
        wmem_map_insert(unanswered_syns, GUINT_TO_POINTER(seg->seq), conn);
        f->syn_indexed = 1;
    } else if (kind == (TL_SYN | TL_ACK) && f->rewritten_role == TCPLIFE_REWRITTEN_NONE) {
        const tl_endpoint_t *client = &c->ep[!(seg->from & 1)];
        if (!(client->syn_seen && seg->ack == client->isn + 1)) {
            tcplife_conn_t *other = (tcplife_conn_t *)wmem_map_lookup(unanswered_syns,
                                                                      GUINT_TO_POINTER(seg->ack - 1));
            if (other && other != conn && !other->core.syn_ack_seen &&
                other->forensics.rewritten_role == TCPLIFE_REWRITTEN_NONE &&
                seg->time >= other->core.syn_time && seg->time - other->core.syn_time <= REWRITTEN_WINDOW) {
                f->rewritten = other;
                f->rewritten_role = TCPLIFE_REWRITTEN_SYN_ACK;
                other->forensics.rewritten = conn;
                other->forensics.rewritten_role = TCPLIFE_REWRITTEN_SYN;
                forget_syn(other);
            }
        }
    }
    if (f->syn_indexed && (c->syn_ack_seen || c->reset))
        forget_syn(conn);
}

void tcplife_forensics_process(tcplife_conn_t *conn, const tl_segment_t *seg, const tl_annotation_t *ann)
{
    tcplife_forensics_t *f = &conn->forensics;
    tl_facts_process(&f->facts, &conn->core, seg, ann);
    tl_rst_evidence_t *ev = NULL;
    if ((seg->flags & TL_RST) && f->rst_count < RST_RECORDS_MAX) {
        ev = wmem_new(wmem_file_scope(), tl_rst_evidence_t);
        f->rst_count++;
    }
    tl_rst_observe(&f->rst, seg, ev);
    track_rewritten(conn, seg);
}

/* ---- registration -------------------------------------------------------------- */

static const char *const role_prefix[2] = { "client", "server" };
static const char *const role_title[2] = { "Client", "Server" };

static const char *lower_state(unsigned state)
{
    static const char *const names[TIMED_COUNT] = {
        "syn_sent", "syn_received", "established", "fin_wait_1", "fin_wait_2",
        "close_wait", "closing", "last_ack",
    };
    return names[state - TIMED_FIRST];
}

typedef struct {
    const char *suffix, *name, *blurb;
    enum ftenum type;
    int display;
} fact_def_t;

static const fact_def_t fact_defs[F_COUNT] = {
    [F_PACKETS] = { "packets", "packets", "Segments it sent (RSTs included)", FT_UINT32, BASE_DEC },
    [F_BYTES] = { "bytes", "payload bytes",
        "Payload bytes it sent, retransmissions included (the sum of its tcp.len; bcc tcplife's TX)",
        FT_UINT64, BASE_DEC },
    [F_RETX] = { "retransmissions", "retransmitted segments",
        "Its segments that repeat data or a SYN/FIN it had already sent (keepalives excluded)",
        FT_UINT32, BASE_DEC },
    [F_SYN_OPTIONS] = { "syn_options", "SYN options",
        "The options its SYN (or SYN-ACK) announced: mss, wscale, sack_perm, timestamps, ecn, "
        "fast_open, or none", FT_STRING, BASE_NONE },
    [F_MSS] = { "mss", "MSS", "Maximum segment size its SYN announced", FT_UINT16, BASE_DEC },
    [F_WSCALE] = { "wscale", "window scale", "Window scale shift its SYN announced", FT_UINT8, BASE_DEC },
    [F_SACK_PERM] = { "sack_perm", "SACK permitted", "Its SYN announced SACK", FT_BOOLEAN, BASE_NONE },
    [F_TIMESTAMPS] = { "timestamps", "timestamps", "Its SYN carried the timestamps option",
        FT_BOOLEAN, BASE_NONE },
    [F_ECN_SETUP] = { "ecn_setup", "ECN setup",
        "ECN-setup SYN (ECE and CWR) or SYN-ACK (ECE without CWR), RFC 3168", FT_BOOLEAN, BASE_NONE },
    [F_FAST_OPEN] = { "fast_open", "Fast Open option", "Its SYN carried a TCP Fast Open option",
        FT_BOOLEAN, BASE_NONE },
    [F_TIME_WAIT_LEFT] = { "time_wait_left", "TIME_WAIT left",
        "TIME_WAIT still to run at the end of the capture", FT_RELATIVE_TIME, BASE_NONE },
};

static void fill_hf(hf_register_info *hf, int *id, const char *name, const char *abbrev,
                    enum ftenum type, int display, const char *blurb)
{
    *id = -1;
    hf->p_id = id;
    hf->hfinfo.name = name;
    hf->hfinfo.abbrev = abbrev;
    hf->hfinfo.type = type;
    hf->hfinfo.display = display;
    hf->hfinfo.blurb = blurb;
    hf->hfinfo.id = -1;
    hf->hfinfo.parent = 0;
    hf->hfinfo.ref_type = HF_REF_TYPE_NONE;
    hf->hfinfo.same_name_prev_id = -1;
    hf->hfinfo.same_name_next = NULL;
}

/* The per-endpoint fields, made from the tables above (they live as long as
 * the program, as Wireshark wants). */
static void register_endpoint_fields(int proto)
{
    int n = 2 * (F_COUNT + TIMED_COUNT), k = 0;
    hf_register_info *hf = g_new0(hf_register_info, n);
    for (int r = 0; r < 2; r++) {
        for (int i = 0; i < F_COUNT; i++) {
            const fact_def_t *d = &fact_defs[i];
            fill_hf(&hf[k++], &hf_fact[r][i], g_strdup_printf("%s %s", role_title[r], d->name),
                    g_strdup_printf("tcplife.conn.%s.%s", role_prefix[r], d->suffix), d->type,
                    d->display, d->blurb);
        }
        for (int s = 0; s < TIMED_COUNT; s++) {
            const char *state = tl_state_name((unsigned)(TIMED_FIRST + s));
            fill_hf(&hf[k++], &hf_dwell[r][s], g_strdup_printf("%s time in %s", role_title[r], state),
                    g_strdup_printf("tcplife.conn.%s.time.%s", role_prefix[r],
                                    lower_state((unsigned)(TIMED_FIRST + s))),
                    FT_RELATIVE_TIME, BASE_NONE,
                    g_strdup_printf("How long the %s was in %s (as bcc tcpstates reports; up to the "
                                    "end of the capture if it still is)", role_prefix[r], state));
        }
    }
    proto_register_field_array(proto, hf, n);
}

void tcplife_forensics_register(int proto)
{
    static hf_register_info hf[] = {
        { &hf_endpoint[TL_ROLE_CLIENT], { "Client facts", "tcplife.conn.client", FT_NONE, BASE_NONE, NULL,
            0x0, "What the client sent: packets, bytes, retransmissions, SYN options, time per state",
            HFILL } },
        { &hf_endpoint[TL_ROLE_SERVER], { "Server facts", "tcplife.conn.server", FT_NONE, BASE_NONE, NULL,
            0x0, "What the server sent: packets, bytes, retransmissions, SYN options, time per state",
            HFILL } },
        { &hf_rst_suspect, { "Suspected injected", "tcplife.rst.suspect_injected", FT_BOOLEAN, BASE_NONE,
            NULL, 0x0, "This RST probably does not come from the endpoint whose address it bears "
            "(a middlebox or an attacker): see tcplife.rst.evidence", HFILL } },
        { &hf_rst_evidence, { "Evidence", "tcplife.rst.evidence", FT_STRING, BASE_NONE, NULL, 0x0,
            "What sets this RST apart from its sender's other packets: ttl, ip_id, sender_continued, "
            "both_ways, or none", HFILL } },
        { &hf_rst_ttl_expected, { "Sender's TTL", "tcplife.rst.ttl_expected", FT_UINT8, BASE_DEC, NULL,
            0x0, "The TTL (hop limit) of every earlier packet of the endpoint the RST names", HFILL } },
        { &hf_rst_ttl_delta, { "TTL delta", "tcplife.rst.ttl_delta", FT_INT16, BASE_DEC, NULL, 0x0,
            "The RST's TTL minus its sender's usual TTL (positive: sent from closer to the capture point)",
            HFILL } },
        { &hf_rst_ip_id_gap, { "IP ID gap", "tcplife.rst.ip_id_gap", FT_INT32, BASE_DEC, NULL, 0x0,
            "The RST's IPv4 ID minus its sender's last one, when the sender's IDs run in sequence "
            "(a real stack's next is a small step)", HFILL } },
        { &hf_rst_continued, { "Sender continued", "tcplife.rst.sender_continued", FT_UINT32, BASE_DEC,
            NULL, 0x0, "Packets the endpoint the RST names sent after it (two-pass)", HFILL } },
        { &hf_rst_both_ways, { "Both ways", "tcplife.rst.both_ways", FT_BOOLEAN, BASE_NONE, NULL, 0x0,
            "An RST to each endpoint at the same moment, as an injector resets both ends", HFILL } },
        { &hf_rewritten_role, { "Rewritten address", "tcplife.conn.rewritten.role", FT_STRING, BASE_NONE,
            NULL, 0x0, "syn: this connection's SYN was answered from another address or port; syn_ack: "
            "its SYN-ACK answers the SYN of another 4-tuple (a NAT or load balancer)", HFILL } },
        { &hf_rewritten_frame, { "Other 4-tuple's first frame", "tcplife.conn.rewritten.frame",
            FT_FRAMENUM, BASE_NONE, FRAMENUM_TYPE(FT_FRAMENUM_NONE), 0x0,
            "First packet of the other half of the rewritten handshake", HFILL } },
    };
    static gint *ett[] = { &ett_endpoint[0], &ett_endpoint[1] };
    static ei_register_info ei[] = {
        { &ei_rst_suspect, { "tcplife.expert.rst_suspect_injected", PI_SECURITY, PI_WARN,
            "RST probably not sent by the endpoint it names (see tcplife.rst.evidence)", EXPFILL } },
        { &ei_rewritten, { "tcplife.expert.rewritten_syn_ack", PI_SEQUENCE, PI_WARN,
            "SYN-ACK from a rewritten address: it answers another 4-tuple's SYN (NAT, load balancer)",
            EXPFILL } },
    };
    proto_register_field_array(proto, hf, array_length(hf));
    register_endpoint_fields(proto);
    proto_register_subtree_array(ett, array_length(ett));
    expert_register_field_array(expert_register_protocol(proto), ei, array_length(ei));
    unanswered_syns = wmem_map_new_autoreset(wmem_epan_scope(), wmem_file_scope(), g_direct_hash,
                                             g_direct_equal);
}

/* ---- rendering ------------------------------------------------------------------ */

static const tl_rst_evidence_t *evidence_of(const tcplife_conn_t *conn, uint32_t frame)
{
    for (const tl_rst_evidence_t *ev = conn->forensics.rst.rsts; ev; ev = ev->next)
        if (ev->frame == frame)
            return ev;
    return NULL;
}

static void add_rel_time(proto_tree *tree, int hf, tvbuff_t *tvb, tl_time_t ns)
{
    proto_item_set_generated(tcplife_add_duration(tree, hf, tvb, ns));
}

static void render_rst(proto_tree *tree, proto_item *item, packet_info *pinfo, tvbuff_t *tvb,
                       const tl_rst_evidence_t *ev, bool capture_complete)
{
    char words[64];
    bool suspect = tl_rst_suspect(ev, capture_complete);
    tl_rst_evidence_words(ev, capture_complete, words, sizeof words);
    if (suspect) /* one constant summary: the evidence is in the fields */
        expert_add_info(pinfo, item, &ei_rst_suspect);
    if (!tree)
        return;
    if (suspect)
        tcplife_add_true(tree, hf_rst_suspect, tvb);
    tcplife_add_string(tree, hf_rst_evidence, tvb, words[0] ? words : "none");
    if (ev->flags & TL_RSTEV_TTL_KNOWN) {
        tcplife_add_uint(tree, hf_rst_ttl_expected, tvb, ev->ttl_expected);
        tcplife_add_int(tree, hf_rst_ttl_delta, tvb, (int)ev->ttl - (int)ev->ttl_expected);
    }
    if (ev->flags & TL_RSTEV_ID_SEQUENTIAL)
        tcplife_add_int(tree, hf_rst_ip_id_gap, tvb, ev->ip_id_gap);
    if (capture_complete && ev->later_packets)
        tcplife_add_uint(tree, hf_rst_continued, tvb, ev->later_packets);
    if (ev->flags & TL_RSTEV_BOTH_WAYS)
        tcplife_add_true(tree, hf_rst_both_ways, tvb);
}

void tcplife_forensics_render_packet(proto_tree *tree, proto_item *item, packet_info *pinfo,
                                     tvbuff_t *tvb, const tcplife_conn_t *conn,
                                     const tl_annotation_t *ann, bool capture_complete)
{
    if (!conn)
        return;
    if (ann->step == TL_STEP_RST) {
        const tl_rst_evidence_t *ev = evidence_of(conn, pinfo->num);
        if (ev)
            render_rst(tree, item, pinfo, tvb, ev, capture_complete);
    }
    const tcplife_forensics_t *f = &conn->forensics;
    if (f->rewritten_role == TCPLIFE_REWRITTEN_SYN_ACK && ann->step == TL_STEP_SYN_ACK)
        expert_add_info(pinfo, item, &ei_rewritten);
    if (tree && f->rewritten_role != TCPLIFE_REWRITTEN_NONE) {
        /* beside the connection summary, not in it: its keys are the same on every connection */
        tcplife_add_string(tree, hf_rewritten_role, tvb,
                           f->rewritten_role == TCPLIFE_REWRITTEN_SYN ? "syn" : "syn_ack");
        proto_item_set_generated(tcplife_add_uint(tree, hf_rewritten_frame, tvb, f->rewritten->first_frame));
    }
}

/* "mss=1460,wscale=7,sack_perm,timestamps" */
static const char *syn_options_text(char *buf, size_t size, const tl_facts_endpoint_t *e)
{
    size_t n = 0;
    buf[0] = '\0';
#define APPEND(...) (n += (size_t)snprintf(buf + n, n < size ? size - n : 0, __VA_ARGS__))
    if (e->options & TL_FACT_MSS)
        APPEND("%smss=%u", n ? "," : "", e->mss);
    if (e->options & TL_FACT_WSCALE)
        APPEND("%swscale=%u", n ? "," : "", e->wscale);
    if (e->options & TL_FACT_SACK_PERM)
        APPEND("%ssack_perm", n ? "," : "");
    if (e->options & TL_FACT_TIMESTAMPS)
        APPEND("%stimestamps", n ? "," : "");
    if (e->options & TL_FACT_ECN_SETUP)
        APPEND("%secn", n ? "," : "");
    if (e->options & TL_FACT_FAST_OPEN)
        APPEND("%sfast_open", n ? "," : "");
#undef APPEND
    return n ? buf : "none";
}

static void add_flag(proto_tree *tree, int hf, tvbuff_t *tvb, bool on)
{
    if (on) /* booleans only when true, as every tcplife boolean */
        tcplife_add_true(tree, hf, tvb);
}

static void render_endpoint(proto_tree *tree, tvbuff_t *tvb, const tcplife_conn_t *conn, int role,
                            tl_time_t now)
{
    int ep = tl_conn_endpoint_of(&conn->core, (tl_role_t)role);
    const tl_facts_t *facts = &conn->forensics.facts;
    const tl_facts_endpoint_t *e = &facts->ep[ep];
    const int *hf = hf_fact[role];
    /* The head's text repeats the items for a reader: only in a visible tree. */
    bool visible = PTREE_DATA(tree)->visible;
    proto_item *top;
    proto_tree *sub = tcplife_add_subtree(tree, hf_endpoint[role], ett_endpoint[role], tvb, &top);
    if (visible)
        proto_item_set_text(top, "%s sent %u packets, %" PRIu64 " payload bytes, %u retransmitted",
                            role_title[role], e->packets, e->bytes, e->retransmissions);
    tcplife_add_uint(sub, hf[F_PACKETS], tvb, e->packets);
    tcplife_add_uint64(sub, hf[F_BYTES], tvb, e->bytes);
    tcplife_add_uint(sub, hf[F_RETX], tvb, e->retransmissions);
    if (e->options & TL_FACT_SYN_SEEN) {
        if (tcplife_field_wanted(sub, hf[F_SYN_OPTIONS])) {
            char buf[80];
            const char *opts = syn_options_text(buf, sizeof buf, e);
            tcplife_add_string(sub, hf[F_SYN_OPTIONS], tvb, opts);
            if (visible)
                proto_item_append_text(top, "; SYN %s", opts);
        }
        if (e->options & TL_FACT_MSS)
            tcplife_add_uint(sub, hf[F_MSS], tvb, e->mss);
        if (e->options & TL_FACT_WSCALE)
            tcplife_add_uint(sub, hf[F_WSCALE], tvb, e->wscale);
        add_flag(sub, hf[F_SACK_PERM], tvb, e->options & TL_FACT_SACK_PERM);
        add_flag(sub, hf[F_TIMESTAMPS], tvb, e->options & TL_FACT_TIMESTAMPS);
        add_flag(sub, hf[F_ECN_SETUP], tvb, e->options & TL_FACT_ECN_SETUP);
        add_flag(sub, hf[F_FAST_OPEN], tvb, e->options & TL_FACT_FAST_OPEN);
    }
    for (int s = 0; s < TIMED_COUNT; s++) {
        unsigned state = (unsigned)(TIMED_FIRST + s);
        tl_time_t t = tl_facts_dwell(facts, ep, state, now);
        if (t < 0)
            continue;
        add_rel_time(sub, hf_dwell[role][s], tvb, t);
        if (visible)
            proto_item_append_text(top, "; %s %.6f s", tl_state_name(state), (double)t / (double)TL_NS_PER_SEC);
    }
    tl_time_t left = tl_facts_time_wait_left(&conn->core, ep, now);
    if (left >= 0) {
        add_rel_time(sub, hf[F_TIME_WAIT_LEFT], tvb, left);
        if (visible)
            proto_item_append_text(top, "; TIME_WAIT %.3f s left", (double)left / (double)TL_NS_PER_SEC);
    }
}

void tcplife_forensics_render_conn(proto_tree *conn_tree, tvbuff_t *tvb, const tcplife_conn_t *conn)
{
    if (!tcplife_group_wanted(conn_tree, TCPLIFE_GROUP_ENDPOINTS))
        return;
    tl_time_t now = tcplife_capture_end();
    render_endpoint(conn_tree, tvb, conn, TL_ROLE_CLIENT, now);
    render_endpoint(conn_tree, tvb, conn, TL_ROLE_SERVER, now);
}
