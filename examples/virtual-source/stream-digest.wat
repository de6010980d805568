;; A tiny guest for the virtual-source example and the @weft/wasi-io tests,
;; written by hand in component text (assembled with jco `parse` by build.ts):
;;
;;   length: async func(s: stream<u8>) -> u32   ;; bytes read until the writer drops its end
;;   fnv1a:  async func(s: stream<u8>) -> u32   ;; 32-bit FNV-1a hash of those bytes
;;
;; Both drain the stream with async `stream.read`s of up to 4096 bytes into
;; linear memory, waiting in a waitable set while a read is blocked
;; (callback ABI). One call at a time: the state lives in globals.
(component
  (type $S (stream u8))
  (core module $Mem (memory (export "mem") 1))
  (core instance $mem (instantiate $Mem))
  (core module $M
    (import "" "mem" (memory 1))
    (import "" "read" (func $read (param i32 i32 i32) (result i32)))
    (import "" "drop" (func $drop (param i32)))
    (import "" "task.return" (func $return (param i32)))
    (import "" "waitable-set.new" (func $ws.new (result i32)))
    (import "" "waitable-set.drop" (func $ws.drop (param i32)))
    (import "" "waitable.join" (func $join (param i32 i32)))
    (global $s (mut i32) (i32.const 0))
    (global $ws (mut i32) (i32.const 0))
    (global $mode (mut i32) (i32.const 0))
    (global $len (mut i32) (i32.const 0))
    (global $hash (mut i32) (i32.const 0))

    ;; fold the n bytes just read (at offset 1024) into $len and $hash
    (func $fold (param $n i32)
      (local $i i32)
      (global.set $len (i32.add (global.get $len) (local.get $n)))
      (block $done
        (loop $next
          (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
          (global.set $hash
            (i32.mul
              (i32.xor (global.get $hash) (i32.load8_u offset=1024 (local.get $i)))
              (i32.const 16777619)))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $next))))

    ;; consume copy results until a read blocks (then wait) or the stream ends
    (func $step (param $r i32) (result i32)
      (loop $again
        ;; BLOCKED: wait for the STREAM_READ event on our waitable set
        (if (i32.eq (local.get $r) (i32.const -1))
          (then (return (i32.or (i32.const 2) (i32.shl (global.get $ws) (i32.const 4))))))
        (call $fold (i32.shr_u (local.get $r) (i32.const 4)))
        ;; DROPPED: the writer is done
        (if (i32.eq (i32.and (local.get $r) (i32.const 0xf)) (i32.const 1))
          (then
            (call $join (global.get $s) (i32.const 0))
            (call $drop (global.get $s))
            (call $ws.drop (global.get $ws))
            (call $return (select (global.get $hash) (global.get $len) (global.get $mode)))
            (return (i32.const 0))))
        (local.set $r (call $read (global.get $s) (i32.const 1024) (i32.const 4096)))
        (br $again))
      unreachable)

    (func $start (param $s i32) (param $mode i32) (result i32)
      (global.set $s (local.get $s))
      (global.set $mode (local.get $mode))
      (global.set $len (i32.const 0))
      (global.set $hash (i32.const 0x811c9dc5))
      (global.set $ws (call $ws.new))
      (call $join (local.get $s) (global.get $ws))
      (call $step (call $read (local.get $s) (i32.const 1024) (i32.const 4096))))

    (func (export "length") (param i32) (result i32) (call $start (local.get 0) (i32.const 0)))
    (func (export "fnv1a") (param i32) (result i32) (call $start (local.get 0) (i32.const 1)))

    ;; event 2 = STREAM_READ; its payload is the packed copy result
    (func (export "cb") (param $event i32) (param $index i32) (param $payload i32) (result i32)
      (if (i32.ne (local.get $event) (i32.const 2)) (then unreachable))
      (call $step (local.get $payload))))

  (canon stream.read $S async (memory (core memory $mem "mem")) (core func $read))
  (canon stream.drop-readable $S (core func $drop))
  (canon task.return (result u32) (core func $return))
  (canon waitable-set.new (core func $ws.new))
  (canon waitable-set.drop (core func $ws.drop))
  (canon waitable.join (core func $join))
  (core instance $m (instantiate $M (with "" (instance
    (export "mem" (memory $mem "mem"))
    (export "read" (func $read))
    (export "drop" (func $drop))
    (export "task.return" (func $return))
    (export "waitable-set.new" (func $ws.new))
    (export "waitable-set.drop" (func $ws.drop))
    (export "waitable.join" (func $join))))))
  (func (export "length") async (param "s" $S) (result u32)
    (canon lift (core func $m "length") async (callback (core func $m "cb"))))
  (func (export "fnv1a") async (param "s" $S) (result u32)
    (canon lift (core func $m "fnv1a") async (callback (core func $m "cb"))))
)
