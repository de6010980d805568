;; A component that traps: `boom` runs `unreachable`, `divide` divides by its second argument
;; (a trap for 0), `ok` returns 7 (so a page can show the instance is poisoned after a trap).
(component
  (core module $M
    (func (export "boom") unreachable)
    (func (export "divide") (param i32 i32) (result i32) (i32.div_u (local.get 0) (local.get 1)))
    (func (export "ok") (result i32) (i32.const 7)))
  (core instance $m (instantiate $M))
  (func (export "boom") (canon lift (core func $m "boom")))
  (func (export "divide") (param "a" u32) (param "b" u32) (result u32) (canon lift (core func $m "divide")))
  (func (export "ok") (result u32) (canon lift (core func $m "ok"))))
