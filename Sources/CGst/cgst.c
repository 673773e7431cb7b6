#include "cgst.h"

char *cgst_init(void) {
    GError *error = NULL;
    if (!gst_init_check(NULL, NULL, &error)) {
        char *msg = g_strdup(error ? error->message : "unknown error");
        if (error) g_error_free(error);
        return msg;
    }
    return NULL;
}

static GstElement *finish_parse(GstElement *element, GError *error, char **error_message, int *error_code) {
    if (error) {
        *error_message = g_strdup(error->message);
        *error_code = error->domain == GST_PARSE_ERROR ? (int)error->code : -1;
        g_error_free(error);
        // gst_parse may return a partial element alongside a recoverable error: not usable.
        if (element) gst_object_unref(element);
        return NULL;
    }
    if (!element) {
        *error_message = g_strdup("the description produced no element");
        *error_code = -1;
    }
    return element;
}

GstElement *cgst_parse_launch(const char *description, char **error_message, int *error_code) {
    GError *error = NULL;
    GstElement *element = gst_parse_launch(description, &error);
    return finish_parse(element, error, error_message, error_code);
}

GstElement *cgst_parse_bin(const char *description, char **error_message, int *error_code) {
    GError *error = NULL;
    GstElement *element = gst_parse_bin_from_description(description, FALSE, &error);
    return finish_parse(element, error, error_message, error_code);
}

gulong cgst_connect_pad_added(GstElement *element, cgst_pad_added_cb cb, void *user_data, GDestroyNotify destroy,
                              gboolean after) {
    return g_signal_connect_data(element, "pad-added", G_CALLBACK(cb), user_data, (GClosureNotify)destroy,
                                 after ? G_CONNECT_AFTER : 0);
}

gulong cgst_connect_no_more_pads(GstElement *element, cgst_element_cb cb, void *user_data, GDestroyNotify destroy) {
    return g_signal_connect_data(element, "no-more-pads", G_CALLBACK(cb), user_data, (GClosureNotify)destroy, 0);
}

gulong cgst_connect_media_configure(GstRTSPMediaFactory *factory, cgst_media_cb cb, void *user_data, GDestroyNotify destroy) {
    return g_signal_connect_data(factory, "media-configure", G_CALLBACK(cb), user_data, (GClosureNotify)destroy, 0);
}

gulong cgst_connect_media_unprepared(GstRTSPMedia *media, cgst_media_unprepared_cb cb, void *user_data, GDestroyNotify destroy) {
    return g_signal_connect_data(media, "unprepared", G_CALLBACK(cb), user_data, (GClosureNotify)destroy, 0);
}

void cgst_app_sink_set_callbacks(GstAppSink *sink, cgst_new_sample_cb on_sample, cgst_eos_cb on_eos,
                                 void *user_data, GDestroyNotify destroy) {
    GstAppSinkCallbacks callbacks = {0};
    callbacks.new_sample = on_sample;
    callbacks.eos = on_eos;
    gst_app_sink_set_callbacks(sink, &callbacks, user_data, destroy);
}

void cgst_set_property_string(GstElement *element, const char *name, const char *value) {
    gst_util_set_object_arg(G_OBJECT(element), name, value);
}
void cgst_set_property_int64(GstElement *element, const char *name, gint64 value) {
    g_object_set(G_OBJECT(element), name, value, NULL);
}
void cgst_set_property_uint64(GstElement *element, const char *name, guint64 value) {
    g_object_set(G_OBJECT(element), name, value, NULL);
}
void cgst_set_property_bool(GstElement *element, const char *name, gboolean value) {
    g_object_set(G_OBJECT(element), name, value, NULL);
}
gboolean cgst_has_property(GstElement *element, const char *name) {
    return g_object_class_find_property(G_OBJECT_GET_CLASS(element), name) != NULL;
}

const char *cgst_message_src_name(GstMessage *message) {
    return GST_MESSAGE_SRC_NAME(message);
}

char *cgst_message_parse_error(GstMessage *message, char **debug, gboolean *missing_plugin,
                               gboolean *resource_error) {
    GError *error = NULL;
    *debug = NULL;
    if (GST_MESSAGE_TYPE(message) == GST_MESSAGE_ERROR) {
        gst_message_parse_error(message, &error, debug);
    } else if (GST_MESSAGE_TYPE(message) == GST_MESSAGE_WARNING) {
        gst_message_parse_warning(message, &error, debug);
    } else {
        return NULL;
    }
    *missing_plugin = error && error->domain == GST_CORE_ERROR && error->code == GST_CORE_ERROR_MISSING_PLUGIN;
    /* STREAM/WRONG_TYPE is not one: parsers post it when no valid frame came before EOS. */
    if (error && error->domain == GST_STREAM_ERROR && error->code == GST_STREAM_ERROR_CODEC_NOT_FOUND)
        *missing_plugin = TRUE;
    *resource_error = error && error->domain == GST_RESOURCE_ERROR;
    char *msg = g_strdup(error ? error->message : "unknown error");
    if (error) g_error_free(error);
    return msg;
}

GstClockTime cgst_clock_time_none(void) { return GST_CLOCK_TIME_NONE; }
GstClockTime cgst_buffer_pts(GstBuffer *buffer) { return GST_BUFFER_PTS(buffer); }
GstClockTime cgst_buffer_dts(GstBuffer *buffer) { return GST_BUFFER_DTS(buffer); }
GstClockTime cgst_buffer_duration(GstBuffer *buffer) { return GST_BUFFER_DURATION(buffer); }
gboolean cgst_buffer_is_keyframe(GstBuffer *buffer) {
    return !GST_BUFFER_FLAG_IS_SET(buffer, GST_BUFFER_FLAG_DELTA_UNIT);
}
void cgst_buffer_set_pts(GstBuffer *buffer, GstClockTime pts) { GST_BUFFER_PTS(buffer) = pts; }
void cgst_buffer_set_dts(GstBuffer *buffer, GstClockTime dts) { GST_BUFFER_DTS(buffer) = dts; }
void cgst_buffer_set_duration(GstBuffer *buffer, GstClockTime duration) { GST_BUFFER_DURATION(buffer) = duration; }

GstClockTime cgst_sample_running_time(GstSample *sample) {
    GstBuffer *buffer = gst_sample_get_buffer(sample);
    GstSegment *segment = gst_sample_get_segment(sample);
    if (!buffer || !GST_BUFFER_PTS_IS_VALID(buffer)) return GST_CLOCK_TIME_NONE;
    if (!segment || segment->format != GST_FORMAT_TIME) return GST_BUFFER_PTS(buffer);
    return gst_segment_to_running_time(segment, GST_FORMAT_TIME, GST_BUFFER_PTS(buffer));
}

GstClockTime cgst_sample_to_running_time(GstSample *sample, GstClockTime time) {
    GstSegment *segment = gst_sample_get_segment(sample);
    if (!GST_CLOCK_TIME_IS_VALID(time)) return GST_CLOCK_TIME_NONE;
    if (!segment || segment->format != GST_FORMAT_TIME) return time;
    return gst_segment_to_running_time(segment, GST_FORMAT_TIME, time);
}

gboolean cgst_request_key_unit(GstElement *element) {
    GstEvent *event = gst_video_event_new_upstream_force_key_unit(GST_CLOCK_TIME_NONE, TRUE, 0);
    return gst_element_send_event(element, event);
}

GstElement *cgst_rtsp_media_element(GstRTSPMedia *media) { return gst_rtsp_media_get_element(media); }

void cgst_rtsp_require_basic_auth(GstRTSPServer *server, GstRTSPMediaFactory *factory,
                                  const char *user, const char *password) {
    GstRTSPAuth *auth = gst_rtsp_auth_new();
    GstRTSPToken *token = gst_rtsp_token_new(GST_RTSP_TOKEN_MEDIA_FACTORY_ROLE, G_TYPE_STRING, "viewer", NULL);
    gchar *basic = gst_rtsp_auth_make_basic(user, password);
    gst_rtsp_auth_add_basic(auth, basic, token);
    g_free(basic);
    gst_rtsp_token_unref(token);
    gst_rtsp_server_set_auth(server, auth);
    g_object_unref(auth);
    gst_rtsp_media_factory_add_role(factory, "viewer",
                                    GST_RTSP_PERM_MEDIA_FACTORY_ACCESS, G_TYPE_BOOLEAN, TRUE,
                                    GST_RTSP_PERM_MEDIA_FACTORY_CONSTRUCT, G_TYPE_BOOLEAN, TRUE, NULL);
}

void cgst_object_ref(gpointer object) { gst_object_ref(object); }
void cgst_object_unref(gpointer object) { gst_object_unref(object); }
void cgst_sample_unref(GstSample *sample) { gst_sample_unref(sample); }
void cgst_caps_unref(GstCaps *caps) { gst_caps_unref(caps); }
void cgst_message_unref(GstMessage *message) { gst_message_unref(message); }
void cgst_mini_object_ref_sample(GstSample *sample) { gst_sample_ref(sample); }

/* libav's video decoders (avdec_*) render into buffers that libav keeps as reference frames;
   GstVideoDecoder then has to make each output buffer writable before pushing it, which is a
   deep copy into a freshly allocated buffer: one frame-sized malloc and free per frame
   (1.4 MB at 720p). With direct rendering off, libav decodes into its own frames and the
   element copies each into a buffer from its pool: the same one copy, no allocation. */
static gboolean has_direct_rendering(GstElement *element) {
    GParamSpec *spec = g_object_class_find_property(G_OBJECT_GET_CLASS(element), "direct-rendering");
    return spec != NULL && spec->value_type == G_TYPE_BOOLEAN;
}

static void configure_decoder(GstElement *element) {
    if (has_direct_rendering(element)) g_object_set(G_OBJECT(element), "direct-rendering", FALSE, NULL);
}

static void on_deep_element_added(GstBin *bin, GstBin *sub_bin, GstElement *element, gpointer data) {
    (void)bin; (void)sub_bin; (void)data;
    configure_decoder(element);
}

static void for_each_element(GstBin *bin, void (*fn)(GstElement *, void *), void *data) {
    GstIterator *it = gst_bin_iterate_recurse(bin);
    GValue item = G_VALUE_INIT;
    gboolean done = FALSE;
    while (!done) {
        switch (gst_iterator_next(it, &item)) {
        case GST_ITERATOR_OK:
            fn(GST_ELEMENT(g_value_get_object(&item)), data);
            g_value_reset(&item);
            break;
        case GST_ITERATOR_RESYNC:
            gst_iterator_resync(it);
            break;
        default:
            done = TRUE;
            break;
        }
    }
    g_value_unset(&item);
    gst_iterator_free(it);
}

static void configure_existing(GstElement *element, void *data) {
    (void)data;
    configure_decoder(element);
}

void cgst_decode_without_direct_rendering(GstElement *pipeline) {
    for_each_element(GST_BIN(pipeline), configure_existing, NULL);
    g_signal_connect(pipeline, "deep-element-added", G_CALLBACK(on_deep_element_added), NULL);
}

static void count_direct_rendering(GstElement *element, void *data) {
    int *counts = data;
    if (!has_direct_rendering(element)) return;
    gboolean on = FALSE;
    g_object_get(G_OBJECT(element), "direct-rendering", &on, NULL);
    counts[on ? 0 : 1] += 1;
}

void cgst_count_direct_rendering(GstElement *pipeline, int *on, int *off) {
    int counts[2] = {0, 0};
    for_each_element(GST_BIN(pipeline), count_direct_rendering, counts);
    *on = counts[0];
    *off = counts[1];
}

/* rtspsrc tries UDP first and falls back to TCP only after `timeout` (5 s) without a packet.
   Right after a camera restarts, its first UDP packets now and then never arrive, and the
   reconnect then took 5.2 s instead of under 1 s (ReconnectTests, about one outage in 20–50).
   Interleaved TCP is what surveillance tools default to for the same reason. */
static void on_source_setup_tcp(GstElement *bin, GstElement *source, gpointer data) {
    (void)bin; (void)data;
    GParamSpec *spec = g_object_class_find_property(G_OBJECT_GET_CLASS(source), "protocols");
    if (spec != NULL) gst_util_set_object_arg(G_OBJECT(source), "protocols", "tcp");
}

void cgst_rtsp_over_tcp(GstElement *uridecodebin) {
    g_signal_connect(uridecodebin, "source-setup", G_CALLBACK(on_source_setup_tcp), NULL);
}

GstElement *cgst_find_by_factory(GstElement *bin, const char *factory) {
    GstIterator *it = gst_bin_iterate_all_by_element_factory_name(GST_BIN(bin), factory);
    GValue item = G_VALUE_INIT;
    GstElement *found = NULL;
    if (gst_iterator_next(it, &item) == GST_ITERATOR_OK) {
        found = GST_ELEMENT(g_value_dup_object(&item));
        g_value_unset(&item);
    }
    gst_iterator_free(it);
    return found;
}

gchar *cgst_property_string(GstElement *element, const char *name) {
    GParamSpec *spec = g_object_class_find_property(G_OBJECT_GET_CLASS(element), name);
    if (spec == NULL) return NULL;
    GValue value = G_VALUE_INIT;
    g_value_init(&value, spec->value_type);
    g_object_get_property(G_OBJECT(element), name, &value);
    gchar *text = gst_value_serialize(&value);
    g_value_unset(&value);
    return text;
}
