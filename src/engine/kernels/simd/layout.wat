;; Attention's head layout in WebAssembly SIMD, run in place on the tfjs wasm backend's memory (imported) by the
;; InklingTrainSplitHeads/-JoinHeads kernels (heads.ts): qkv rows [B, T, 3, H, hs] <-> q, k, v [B, H, T, hs],
;; q scaled, in one pass each way instead of a reshape, a rank-4 transpose, a split and a scaling (and back).
;; hs is a multiple of 4. Pointers are byte offsets; outputs never alias inputs.
;; Assembled by `npx tsx src/engine/kernels/simd/assemble.ts` into training-wasm.ts (a test checks it is current).
(module
  (import "env" "memory" (memory 1))

  ;; dst[0 .. n) = src[0 .. n) * scale, n floats (a multiple of 4)
  (func $copy_scaled (param $src i32) (param $dst i32) (param $n i32) (param $scale v128)
    (local $end i32)
    (local.set $end (i32.add (local.get $src) (i32.shl (local.get $n) (i32.const 2))))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $src) (local.get $end)))
      (v128.store align=1 (local.get $dst) (f32x4.mul (v128.load align=1 (local.get $src)) (local.get $scale)))
      (local.set $src (i32.add (local.get $src) (i32.const 16)))
      (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
      (br $next))))

  ;; The head row (b, t, part, h) of qkv and the row (b, h, t) of q, k and v, as byte offsets of their hs floats.
  (func $row_offsets (param $b i32) (param $t i32) (param $part i32) (param $h i32) (param $T i32) (param $H i32) (param $hs i32)
                     (result i32 i32)
    (i32.shl (i32.mul (i32.add (i32.mul (i32.add (i32.mul (i32.add (i32.mul (local.get $b) (local.get $T)) (local.get $t)) (i32.const 3))
                                                 (local.get $part))
                                        (local.get $H))
                               (local.get $h))
                      (local.get $hs))
             (i32.const 2))
    (i32.shl (i32.mul (i32.add (i32.mul (i32.add (i32.mul (local.get $b) (local.get $H)) (local.get $h)) (local.get $T)) (local.get $t))
                      (local.get $hs))
             (i32.const 2)))

  ;; q = qkv[:, :, 0] * scale, k = qkv[:, :, 1], v = qkv[:, :, 2], each moved to [B, H, T, hs]
  (func (export "split_qkv") (param $qkv i32) (param $q i32) (param $k i32) (param $v i32)
                             (param $B i32) (param $T i32) (param $H i32) (param $hs i32) (param $scale f32)
    (local $b i32) (local $t i32) (local $h i32) (local $from i32) (local $to i32) (local $one v128) (local $vscale v128)
    (local.set $one (f32x4.splat (f32.const 1)))
    (local.set $vscale (f32x4.splat (local.get $scale)))
    (block $bDone (loop $bNext
      (br_if $bDone (i32.ge_u (local.get $b) (local.get $B)))
      (local.set $t (i32.const 0))
      (block $tDone (loop $tNext
        (br_if $tDone (i32.ge_u (local.get $t) (local.get $T)))
        (local.set $h (i32.const 0))
        (block $hDone (loop $hNext
          (br_if $hDone (i32.ge_u (local.get $h) (local.get $H)))
          (call $row_offsets (local.get $b) (local.get $t) (i32.const 0) (local.get $h) (local.get $T) (local.get $H) (local.get $hs))
          (local.set $to)
          (local.set $from)
          (call $copy_scaled (i32.add (local.get $qkv) (local.get $from)) (i32.add (local.get $q) (local.get $to)) (local.get $hs) (local.get $vscale))
          (local.set $from (i32.add (local.get $from) (i32.shl (i32.mul (local.get $H) (local.get $hs)) (i32.const 2))))
          (call $copy_scaled (i32.add (local.get $qkv) (local.get $from)) (i32.add (local.get $k) (local.get $to)) (local.get $hs) (local.get $one))
          (local.set $from (i32.add (local.get $from) (i32.shl (i32.mul (local.get $H) (local.get $hs)) (i32.const 2))))
          (call $copy_scaled (i32.add (local.get $qkv) (local.get $from)) (i32.add (local.get $v) (local.get $to)) (local.get $hs) (local.get $one))
          (local.set $h (i32.add (local.get $h) (i32.const 1)))
          (br $hNext)))
        (local.set $t (i32.add (local.get $t) (i32.const 1)))
        (br $tNext)))
      (local.set $b (i32.add (local.get $b) (i32.const 1)))
      (br $bNext))))

  ;; The gradient: dqkv[:, :, 0] = dq * scale, dqkv[:, :, 1] = dk, dqkv[:, :, 2] = dv, back in rows [B, T, 3, H, hs]
  (func (export "join_qkv") (param $dq i32) (param $dk i32) (param $dv i32) (param $dqkv i32)
                            (param $B i32) (param $T i32) (param $H i32) (param $hs i32) (param $scale f32)
    (local $b i32) (local $t i32) (local $h i32) (local $to i32) (local $from i32) (local $one v128) (local $vscale v128)
    (local.set $one (f32x4.splat (f32.const 1)))
    (local.set $vscale (f32x4.splat (local.get $scale)))
    (block $bDone (loop $bNext
      (br_if $bDone (i32.ge_u (local.get $b) (local.get $B)))
      (local.set $t (i32.const 0))
      (block $tDone (loop $tNext
        (br_if $tDone (i32.ge_u (local.get $t) (local.get $T)))
        (local.set $h (i32.const 0))
        (block $hDone (loop $hNext
          (br_if $hDone (i32.ge_u (local.get $h) (local.get $H)))
          (call $row_offsets (local.get $b) (local.get $t) (i32.const 0) (local.get $h) (local.get $T) (local.get $H) (local.get $hs))
          (local.set $from)
          (local.set $to)
          (call $copy_scaled (i32.add (local.get $dq) (local.get $from)) (i32.add (local.get $dqkv) (local.get $to)) (local.get $hs) (local.get $vscale))
          (local.set $to (i32.add (local.get $to) (i32.shl (i32.mul (local.get $H) (local.get $hs)) (i32.const 2))))
          (call $copy_scaled (i32.add (local.get $dk) (local.get $from)) (i32.add (local.get $dqkv) (local.get $to)) (local.get $hs) (local.get $one))
          (local.set $to (i32.add (local.get $to) (i32.shl (i32.mul (local.get $H) (local.get $hs)) (i32.const 2))))
          (call $copy_scaled (i32.add (local.get $dv) (local.get $from)) (i32.add (local.get $dqkv) (local.get $to)) (local.get $hs) (local.get $one))
          (local.set $h (i32.add (local.get $h) (i32.const 1)))
          (br $hNext)))
        (local.set $t (i32.add (local.get $t) (i32.const 1)))
        (br $tNext)))
      (local.set $b (i32.add (local.get $b) (i32.const 1)))
      (br $bNext))))
)
