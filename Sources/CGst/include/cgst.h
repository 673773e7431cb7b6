// Thin C shim over GStreamer for the Swift side. It holds no logic: only calls that Swift
// cannot make itself (variadic GLib functions, macros, signal connection with typed callbacks).
#ifndef CGST_H
#define CGST_H

#include <gst/gst.h>
#include <gst/app/gstappsink.h>
#include <gst/app/gstappsrc.h>
#include <gst/video/video.h>
#include <gst/audio/audio.h>
#include <gst/rtsp-server/rtsp-server.h>

/// gst_init_check; returns NULL on success or a newly allocated message (free with g_free).
char *cgst_init(void);

/// gst_parse_launch; on failure returns NULL and sets *error_message (free with g_free).
/// `error_code` receives the GstParseError code (or -1 for other domains).
GstElement *cgst_parse_launch(const char *description, char **error_message, int *error_code);

/// gst_parse_bin_from_description without ghosting; same error convention.
GstElement *cgst_parse_bin(const char *description, char **error_message, int *error_code);

typedef void (*cgst_pad_added_cb)(GstElement *element, GstPad *pad, void *user_data);
typedef void (*cgst_element_cb)(GstElement *element, void *user_data);
typedef GstFlowReturn (*cgst_new_sample_cb)(GstAppSink *sink, void *user_data);
typedef void (*cgst_eos_cb)(GstAppSink *sink, void *user_data);
typedef void (*cgst_media_cb)(GstRTSPMediaFactory *factory, GstRTSPMedia *media, void *user_data);
typedef void (*cgst_media_unprepared_cb)(GstRTSPMedia *media, void *user_data);

/// Connects "pad-added"; `destroy` releases user_data when the handler goes away. With `after`,
/// the handler runs after the default ones (gst_parse's delayed links), so it can see whether the
/// new pad was already linked.
gulong cgst_connect_pad_added(GstElement *element, cgst_pad_added_cb cb, void *user_data, GDestroyNotify destroy,
                              gboolean after);
/// Connects "no-more-pads".
gulong cgst_connect_no_more_pads(GstElement *element, cgst_element_cb cb, void *user_data, GDestroyNotify destroy);
/// Connects "media-configure" of an RTSP media factory.
gulong cgst_connect_media_configure(GstRTSPMediaFactory *factory, cgst_media_cb cb, void *user_data, GDestroyNotify destroy);
/// Connects "unprepared" of an RTSP media.
gulong cgst_connect_media_unprepared(GstRTSPMedia *media, cgst_media_unprepared_cb cb, void *user_data, GDestroyNotify destroy);

/// Installs new-sample and eos callbacks on an appsink.
void cgst_app_sink_set_callbacks(GstAppSink *sink, cgst_new_sample_cb on_sample, cgst_eos_cb on_eos,
                                 void *user_data, GDestroyNotify destroy);

/// g_object_set for a single property given as a string (uses the property's own parser).
void cgst_set_property_string(GstElement *element, const char *name, const char *value);
void cgst_set_property_int64(GstElement *element, const char *name, gint64 value);
void cgst_set_property_uint64(GstElement *element, const char *name, guint64 value);
void cgst_set_property_bool(GstElement *element, const char *name, gboolean value);
/// True when `element` has a property of that name.
gboolean cgst_has_property(GstElement *element, const char *name);
/// Turns libav direct rendering off in every video decoder of the bin, now and as decodebin adds
/// them (see cgst.c for why).
void cgst_decode_without_direct_rendering(GstElement *pipeline);
/// The first element of the bin (at any depth) made by that factory, with a reference the
/// caller releases; NULL when there is none.
GstElement *cgst_find_by_factory(GstElement *bin, const char *factory);
/// A property's value as GStreamer serialises it ("GST_RTSP_LOWER_TRANS_TCP", "true", "200"), g_free'd by the caller;
/// NULL when the element has no such property.
gchar *cgst_property_string(GstElement *element, const char *name);
/// Makes the rtspsrc that this uridecodebin creates use interleaved TCP only (see cgst.c for why).
void cgst_rtsp_over_tcp(GstElement *uridecodebin);
/// How many video decoders in the bin have direct rendering on and off.
void cgst_count_direct_rendering(GstElement *pipeline, int *on, int *off);

/// GST_MESSAGE_SRC_NAME.
const char *cgst_message_src_name(GstMessage *message);
/// Parses an ERROR or WARNING message: returns the message text (g_free) and sets *debug (g_free)
/// and *domain_missing_plugin when the error is CORE/MISSING_PLUGIN.
char *cgst_message_parse_error(GstMessage *message, char **debug, gboolean *missing_plugin,
                               gboolean *resource_error);

/// GstClockTime helpers: macros the importer does not expose.
GstClockTime cgst_clock_time_none(void);
GstClockTime cgst_buffer_pts(GstBuffer *buffer);
GstClockTime cgst_buffer_duration(GstBuffer *buffer);
gboolean cgst_buffer_is_keyframe(GstBuffer *buffer);
void cgst_buffer_set_pts(GstBuffer *buffer, GstClockTime pts);
void cgst_buffer_set_duration(GstBuffer *buffer, GstClockTime duration);
void cgst_buffer_set_dts(GstBuffer *buffer, GstClockTime dts);
GstClockTime cgst_buffer_dts(GstBuffer *buffer);

/// Running time of a buffer in its sample's segment (GST_CLOCK_TIME_NONE when outside).
GstClockTime cgst_sample_running_time(GstSample *sample);
/// Running time of an arbitrary timestamp (e.g. a DTS) in the sample's segment.
GstClockTime cgst_sample_to_running_time(GstSample *sample, GstClockTime time);

/// Sends an upstream force-key-unit event through a pad (new RTSP client wants an IDR now).
gboolean cgst_request_key_unit(GstElement *element);

/// The element's RTSP media pipeline element (gst_rtsp_media_get_element), transfer full.
GstElement *cgst_rtsp_media_element(GstRTSPMedia *media);

/// Requires HTTP basic authentication (user/password) for the factory's media: a role "viewer"
/// with access and construct permissions (variadic GStreamer calls, hence the shim).
void cgst_rtsp_require_basic_auth(GstRTSPServer *server, GstRTSPMediaFactory *factory,
                                  const char *user, const char *password);

/// Ref/unref wrappers: the importer cannot see the inline functions in all GStreamer versions.
void cgst_object_ref(gpointer object);
void cgst_object_unref(gpointer object);
void cgst_sample_unref(GstSample *sample);
void cgst_caps_unref(GstCaps *caps);
void cgst_message_unref(GstMessage *message);
void cgst_mini_object_ref_sample(GstSample *sample);

#endif
