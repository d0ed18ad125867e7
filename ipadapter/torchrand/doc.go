// Package torchrand reproduces PyTorch's CPU random number generator bit for
// bit, so that a seed gives the same initial latents (and the same per-step
// noise of ancestral schedulers) as diffusers with
// torch.Generator("cpu").manual_seed(seed).
//
// # What is reproduced
//
//   - The engine: the 32-bit Mersenne Twister (MT19937) torch's CPU generator
//     uses, seeded from the low 32 bits of the 64-bit seed (so 2^32+5 and 5
//     give the same stream, as in torch).
//   - torch.randn for float32 with its two code paths: 16 or more elements
//     use the block Box–Muller "normal_fill" (16 uniforms per 16 outputs, the
//     last partial block redrawn), fewer use the per-element double-precision
//     Box–Muller whose spare value is cached in the generator.
//   - The float32 block path in two flavours (Kernel). KernelAVX2 emulates
//     the x86-64 AVX2 kernel: Cephes log/sincos approximations from
//     avx_mathfun.h, with the multiply-adds that GCC fuses into FMAs when
//     it builds PyTorch with -mfma. It is what PyTorch runs on x86
//     Linux/Windows machines and what the fixtures were made with.
//     KernelScalar is the scalar kernel of other CPUs (aarch64), with
//     correctly rounded logf/sinf/cosf standing in for the platform libm.
//   - torch.randn in float64, torch.rand in float32 and float64.
//   - diffusers' randn_tensor for batched latents: one generator for the
//     whole batch, or one generator per batch row.
//
// A Generator is a stream: successive calls consume it exactly as the same
// successive torch calls would, including the cached spare normal value that
// small float32/float64 calls leave behind.
//
// On amd64 built with GOEXPERIMENT=simd the AVX2 kernel, the Mersenne
// Twister's twist and its tempering run 8 lanes at a time with
// simd/archsimd (Accelerated reports it); elsewhere the same operations run
// as scalar code with identical results.
//
// Not reproduced: CUDA generators (Philox on the GPU) and float16/bfloat16
// noise, whose values changed between PyTorch releases.
//
// Reference: PyTorch aten/src/ATen/core/MT19937RNGEngine.h,
// CPUGeneratorImpl.cpp, DistributionsHelper.h, TransformationHelper.h,
// native/cpu/DistributionTemplates.h, native/cpu/avx_mathfun.h.
package torchrand
