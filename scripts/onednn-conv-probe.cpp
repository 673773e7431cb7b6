// onednn-conv-probe.cpp: how fast would the realtime decoder's 3×3 convolutions run on oneDNN,
// in float32 and in bfloat16, on one thread, without any reorders? The measurement that led to
// the engine's bfloat16 path (Sources/CDnnl, Restore/Engine/BF16*.swift; issue 8); not part of
// the build or the tests. `facerestored bench model --layers` times the engine's own layers with
// their reorders, which is what decides which layers run in bfloat16.
//
//   apt-get install libdnnl-dev            # Debian 12: oneDNN 2.6.3
//   g++ -O2 scripts/onednn-conv-probe.cpp -o /tmp/onednn-probe -ldnnl
//   OMP_NUM_THREADS=1 /tmp/onednn-probe    # then, for the engine: facerestored bench model --no-torch
//
// Layers: the realtime profile's decoder (code_dim 32, dec_channels 64/48/24/12/6, RGB out), each
// conv + bias + ReLU in oneDNN's preferred (blocked) layouts, reorders left out; median of 30.
// bfloat16 needs AVX512_BF16 (or AMX) to be faster; elsewhere oneDNN emulates it slowly.
#include <oneapi/dnnl/dnnl.hpp>
#include <chrono>
#include <cstdio>
#include <vector>
#include <algorithm>
using namespace dnnl;
using dt = memory::data_type; using tag = memory::format_tag;
static double now(){return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();}
double run(engine& eng, stream& s, int cin, int cout, int hw, dt d, const char** impl) {
  memory::dims src{1,cin,hw,hw}, wei{cout,cin,3,3}, bia{cout}, dst{1,cout,hw,hw};
  auto smd = memory::desc(src, d, tag::any), wmd = memory::desc(wei, d, tag::any);
  auto bmd = memory::desc(bia, dt::f32, tag::x), dmd = memory::desc(dst, d, tag::any);
  post_ops po; po.append_eltwise(1.f, algorithm::eltwise_relu, 0.f, 0.f); primitive_attr attr; attr.set_post_ops(po);
  auto desc = convolution_forward::desc(prop_kind::forward_inference, algorithm::convolution_direct, smd, wmd, bmd, dmd, {1,1},{1,1},{1,1});
  auto pd = convolution_forward::primitive_desc(desc, attr, eng);
  *impl = pd.impl_info_str();
  memory S(pd.src_desc(), eng), W(pd.weights_desc(), eng), B(bmd, eng), D(pd.dst_desc(), eng);
  convolution_forward c(pd);
  std::vector<double> t;
  for (int i=0;i<30;i++){ double a=now(); c.execute(s,{{DNNL_ARG_SRC,S},{DNNL_ARG_WEIGHTS,W},{DNNL_ARG_BIAS,B},{DNNL_ARG_DST,D}}); s.wait(); t.push_back(now()-a);}
  std::sort(t.begin(), t.end()); return t[15]*1e3;
}
int main(){
  engine eng(engine::kind::cpu,0); stream s(eng);
  int L[][3]={{32,64,16},{64,64,16},{64,48,32},{48,48,32},{48,24,64},{24,12,128},{12,6,256},{6,3,256}};
  double tf=0,tb=0;
  for (auto& l: L){ const char *i1,*i2; double f=run(eng,s,l[0],l[1],l[2],dt::f32,&i1), b=run(eng,s,l[0],l[1],l[2],dt::bf16,&i2);
    double fl=2.0*l[0]*l[1]*9*l[2]*l[2]; tf+=f; tb+=b;
    printf("%3d->%3d @%3d  f32 %.3f ms (%.0f GF/s, %s)  bf16 %.3f ms (%.0f GF/s, %s)\n", l[0],l[1],l[2], f, fl/f*1e-6, i1, b, fl/b*1e-6, i2);}
  printf("sum f32 %.2f ms  bf16 %.2f ms  ratio %.2f\n", tf, tb, tf/tb);
}
