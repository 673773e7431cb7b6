// The oneDNN side of cdnnl.h. Each convolution is reorder(s) → bf16 convolution → reorder: the
// engine's activations stay float32 planar between layers because the decoder's hooks
// (fidelity skips, temporal modulation) work on planar float32 features.
#include "cdnnl.h"

#include <oneapi/dnnl/dnnl.hpp>

#include <cstdio>
#include <cstring>
#include <exception>
#include <memory>
#include <string>
#include <vector>

// libgomp's; declared here because Swift's clang does not see gcc's omp.h. oneDNN (built with
// the OpenMP runtime on Debian) opens a parallel region of omp_get_max_threads() per primitive,
// which is per calling thread: set on every run, it keeps each restoration thread to its count.
extern "C" void omp_set_num_threads(int);

using dnnl::memory;
using dt = dnnl::memory::data_type;
using tag = dnnl::memory::format_tag;

struct cdnnl_context {
    dnnl::engine engine;
    dnnl::stream stream;
    int threads;
};

struct cdnnl_conv {
    cdnnl_context *context;
    int in_c, in_h, in_w, upsample, residual;
    // Planar float32 views of the caller's buffers (handles set per run) and of the up-sampled input.
    memory user_src, user_dst;
    std::vector<float> upsampled;
    memory planar_src;
    memory src, weights, bias, dst;
    dnnl::reorder src_reorder, dst_reorder, residual_reorder;
    bool reorder_dst;
    dnnl::convolution_forward conv;
    std::string implementation;
};

static void report(char *error, size_t size, const std::string &message) {
    if (error && size > 0) std::snprintf(error, size, "%s", message.c_str());
}

extern "C" cdnnl_context *cdnnl_context_create(int threads, char *error, size_t error_size) {
    try {
        dnnl::engine engine(dnnl::engine::kind::cpu, 0);
        dnnl::stream stream(engine);
        return new cdnnl_context{engine, stream, threads < 1 ? 1 : threads};
    } catch (const std::exception &e) {
        report(error, error_size, std::string("oneDNN could not open its CPU engine: ") + e.what());
        return nullptr;
    }
}

extern "C" void cdnnl_context_free(cdnnl_context *context) { delete context; }

extern "C" cdnnl_conv *cdnnl_conv_create(cdnnl_context *context, int in_c, int out_c, int kernel, int stride,
                                         int in_h, int in_w, int upsample, const float *weights, const float *bias,
                                         int residual, int relu, char *error, size_t error_size) {
    try {
        omp_set_num_threads(context->threads);
        auto &eng = context->engine;
        const int vh = upsample ? 2 * in_h : in_h, vw = upsample ? 2 * in_w : in_w, pad = kernel / 2;
        const int oh = (vh + 2 * pad - kernel) / stride + 1, ow = (vw + 2 * pad - kernel) / stride + 1;
        const memory::dims src_dims{1, in_c, vh, vw}, wei_dims{out_c, in_c, kernel, kernel}, dst_dims{1, out_c, oh, ow};
        auto desc = dnnl::convolution_forward::desc(
            dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_direct,
            memory::desc(src_dims, dt::bf16, tag::any), memory::desc(wei_dims, dt::bf16, tag::any),
            memory::desc({out_c}, dt::f32, tag::x), memory::desc(dst_dims, dt::f32, tag::any),
            {stride, stride}, {pad, pad}, {pad, pad});
        dnnl::post_ops ops;
        if (residual) ops.append_sum(1.f);
        if (relu) ops.append_eltwise(1.f, dnnl::algorithm::eltwise_relu, 0.f, 0.f);
        dnnl::primitive_attr attr;
        attr.set_post_ops(ops);
        auto pd = dnnl::convolution_forward::primitive_desc(desc, attr, eng);

        auto c = std::make_unique<cdnnl_conv>();
        c->context = context;
        c->in_c = in_c; c->in_h = in_h; c->in_w = in_w; c->upsample = upsample; c->residual = residual;
        c->implementation = pd.impl_info_str();
        c->user_src = memory({{1, in_c, in_h, in_w}, dt::f32, tag::nchw}, eng, DNNL_MEMORY_NONE);
        c->user_dst = memory({dst_dims, dt::f32, tag::nchw}, eng, DNNL_MEMORY_NONE);
        if (upsample) {
            c->upsampled.resize(size_t(in_c) * vh * vw);
            c->planar_src = memory({src_dims, dt::f32, tag::nchw}, eng, c->upsampled.data());
        } else {
            c->planar_src = c->user_src;
        }
        c->src = memory(pd.src_desc(), eng);
        c->dst = memory(pd.dst_desc(), eng);
        c->bias = memory({{out_c}, dt::f32, tag::x}, eng);
        std::memcpy(c->bias.get_data_handle(), bias, sizeof(float) * out_c);
        memory user_weights({wei_dims, dt::f32, tag::oihw}, eng, const_cast<float *>(weights));
        c->weights = memory(pd.weights_desc(), eng);
        dnnl::reorder(user_weights, c->weights).execute(context->stream, user_weights, c->weights);
        context->stream.wait();
        c->src_reorder = dnnl::reorder(c->planar_src, c->src);
        c->reorder_dst = pd.dst_desc() != c->user_dst.get_desc();
        if (c->reorder_dst) {
            c->dst_reorder = dnnl::reorder(c->dst, c->user_dst);
            if (residual) c->residual_reorder = dnnl::reorder(c->user_dst, c->dst);
        }
        c->conv = dnnl::convolution_forward(pd);
        return c.release();
    } catch (const dnnl::error &e) {
        report(error, error_size, std::string("oneDNN has no bfloat16 convolution for ") + std::to_string(in_c) + "→" +
                                      std::to_string(out_c) + " at " + std::to_string(in_h) + "×" + std::to_string(in_w) +
                                      " on this CPU (" + e.what() + ")");
    } catch (const std::exception &e) {
        report(error, error_size, std::string("oneDNN convolution setup failed: ") + e.what());
    }
    return nullptr;
}

// Nearest ×2 by hand: oneDNN's resampling wants the same layout on both sides, and this one pass
// over the small input is cheaper than up-sampling after the bf16 reorder would allow anyway.
static void upsample2(const float *src, float *dst, int channels, int h, int w) {
    const int ow = 2 * w;
    for (int c = 0; c < channels; c++) {
        for (int y = 0; y < h; y++) {
            const float *row = src + (size_t(c) * h + y) * w;
            float *out = dst + (size_t(c) * 2 * h + 2 * y) * ow;
            for (int x = 0; x < w; x++) out[2 * x] = out[2 * x + 1] = row[x];
            std::memcpy(out + ow, out, sizeof(float) * ow);
        }
    }
}

extern "C" int cdnnl_conv_run(cdnnl_conv *c, const float *src, float *dst, char *error, size_t error_size) {
    try {
        auto &s = c->context->stream;
        omp_set_num_threads(c->context->threads);
        if (c->upsample) {
            upsample2(src, c->upsampled.data(), c->in_c, c->in_h, c->in_w);
        } else {
            c->user_src.set_data_handle(const_cast<float *>(src));
        }
        c->user_dst.set_data_handle(dst);
        c->src_reorder.execute(s, c->planar_src, c->src);
        memory &out = c->reorder_dst ? c->dst : c->user_dst;
        if (c->residual && c->reorder_dst) c->residual_reorder.execute(s, c->user_dst, c->dst);
        c->conv.execute(s, {{DNNL_ARG_SRC, c->src}, {DNNL_ARG_WEIGHTS, c->weights},
                            {DNNL_ARG_BIAS, c->bias}, {DNNL_ARG_DST, out}});
        if (c->reorder_dst) c->dst_reorder.execute(s, c->dst, c->user_dst);
        s.wait();
        return 0;
    } catch (const std::exception &e) {
        report(error, error_size, std::string("oneDNN convolution failed: ") + e.what());
        return -1;
    }
}

extern "C" const char *cdnnl_conv_implementation(const cdnnl_conv *conv) { return conv->implementation.c_str(); }

extern "C" void cdnnl_conv_free(cdnnl_conv *conv) { delete conv; }
