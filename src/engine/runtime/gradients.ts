// tfjs-core registers no gradients by itself. Its ESM `dist/register_all_gradients.js` uses directory
// imports that plain Node (tsx, the worker, the built CLI) rejects, so take them from the union
// package's Node build, which registers every gradient into the same tfjs-core as a side effect.
import '@tensorflow/tfjs';
import { installMatMulGradient } from '../kernels/fixes/matmul-gradient.js';

// tfjs's own BatchMatMul gradient breaks under batch broadcasting ([B,T,C] x [C,D]); replace it.
installMatMulGradient();
