;; Minimal bench guest: the core functions do (almost) nothing, so a call's cost is the
;; host runtime's own lifting/lowering overhead. bench/bench.ts assembles this text with
;; jco `parse` at start-up (no toolchain, nothing built to commit).
;;
;; cabi_realloc is a bump allocator that grows memory on demand; post_return resets the
;; bump pointer, so each call reuses the same heap (64 KiB lists fit after one grow).
(component
  (core module $m
    (memory (export "memory") 1)
    ;; 0..1023: reserved (retptr area at 16); heap from 1024.
    (global $heap (mut i32) (i32.const 1024))

    (func (export "add") (param i32 i32) (result i32)
      (i32.add (local.get 0) (local.get 1)))

    ;; echo / echo-bytes: hand the argument's (ptr, len) back through the retptr.
    (func (export "echo") (param i32 i32) (result i32)
      (i32.store (i32.const 16) (local.get 0))
      (i32.store (i32.const 20) (local.get 1))
      (i32.const 16))

    (func (export "cabi_realloc") (param $old i32) (param $osz i32) (param $align i32) (param $nsz i32) (result i32)
      (local $p i32)
      (local $end i32)
      ;; Shrinking: in place.
      (if (i32.and (i32.ne (local.get $old) (i32.const 0)) (i32.le_u (local.get $nsz) (local.get $osz)))
        (then (return (local.get $old))))
      (local.set $p
        (i32.and
          (i32.add (global.get $heap) (i32.sub (local.get $align) (i32.const 1)))
          (i32.sub (i32.const 0) (local.get $align))))
      (local.set $end (i32.add (local.get $p) (local.get $nsz)))
      (if (i32.gt_u (local.get $end) (i32.shl (memory.size) (i32.const 16)))
        (then
          (if (i32.eq
                (memory.grow
                  (i32.sub (i32.shr_u (i32.add (local.get $end) (i32.const 0xffff)) (i32.const 16))
                           (memory.size)))
                (i32.const -1))
            (then unreachable))))
      (global.set $heap (local.get $end))
      (if (local.get $osz)
        (then (memory.copy (local.get $p) (local.get $old) (local.get $osz))))
      (local.get $p))

    (func (export "post_return") (param i32)
      (global.set $heap (i32.const 1024)))
  )
  (core instance $i (instantiate $m))

  (func (export "add") (param "a" u32) (param "b" u32) (result u32)
    (canon lift (core func $i "add")))
  (func (export "echo") (param "s" string) (result string)
    (canon lift (core func $i "echo")
      (memory (core memory $i "memory")) (realloc (core func $i "cabi_realloc")) string-encoding=utf8
      (post-return (core func $i "post_return"))))
  (func (export "echo-bytes") (param "b" (list u8)) (result (list u8))
    (canon lift (core func $i "echo")
      (memory (core memory $i "memory")) (realloc (core func $i "cabi_realloc"))
      (post-return (core func $i "post_return"))))
)
