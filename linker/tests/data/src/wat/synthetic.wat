;; A hand-written component exercising the call-graph rules of `linker::inspect`.
;;
;; - `$pkg` is the package's module. Its id is not `main`, and the stub module below is named
;;   like a wit-component helper and has the biggest code: the main module must be found by
;;   names or by where the lifted export comes from, not by size.
;; - Expected syscall set (see `inspect::tests::synthetic_*`):
;;   wasi:cli/environment#get-environment   direct   (run -> read-env; also indirectly via env-again)
;;   wasi:clocks/wall-clock#now             indirect (call_indirect of type $sink -> read-clock)
;;   wasi:random/random#get-random-u64      indirect (declared element draw-random, type $sink)
;;   wasi:filesystem/preopens#get-directories direct (start function start-up)
;;   wasi_snapshot_preview1#fd_write        direct   (the import is exported as is)
;;   not reached: wasi:clocks/monotonic-clock#now (in the table, but of another type),
;;   wasi:sockets/tcp-create-socket#create-tcp-socket (only called by dead code);
;;   nano:inflate/api#inflate is reached but is not WASI.
(component
  (import "nano:inflate/api" (instance $inflate (export "inflate" (func (param "x" u32)))))
  (core func $inflate-lowered (canon lower (func $inflate "inflate")))

  (core module $wit-component:shim
    (func (export "get-environment") (param i32))
    (func (export "now") (param i32))
    (func (export "monotonic-now") (result i64) i64.const 0)
    (func (export "get-random-u64") (result i64) i64.const 4)
    (func (export "create-tcp-socket") (param i32 i32))
    (func (export "fd_write") (param i32 i32 i32 i32) (result i32) i32.const 0)
    (func (export "get-directories") (param i32))
    ;; Padding: makes this helper's code section the biggest.
    (func (export "padding")
      nop nop nop nop nop nop nop nop nop nop nop nop nop nop nop nop nop nop nop nop
      nop nop nop nop nop nop nop nop nop nop nop nop nop nop nop nop nop nop nop nop
      nop nop nop nop nop nop nop nop nop nop nop nop nop nop nop nop nop nop nop nop
      nop nop nop nop nop nop nop nop nop nop nop nop nop nop nop nop nop nop nop nop
      nop nop nop nop nop nop nop nop nop nop nop nop nop nop nop nop nop nop nop nop
      nop nop nop nop nop nop nop nop nop nop nop nop nop nop nop nop nop nop nop nop))
  (core instance $stubs (instantiate $wit-component:shim))
  (core instance $environment (export "get-environment" (func $stubs "get-environment")))
  (core instance $wall-clock (export "now" (func $stubs "now")))
  (core instance $monotonic-clock (export "now" (func $stubs "monotonic-now")))
  (core instance $random (export "get-random-u64" (func $stubs "get-random-u64")))
  (core instance $tcp-create-socket (export "create-tcp-socket" (func $stubs "create-tcp-socket")))
  (core instance $preview1 (export "fd_write" (func $stubs "fd_write")))
  (core instance $preopens (export "get-directories" (func $stubs "get-directories")))
  (core instance $inflate-core (export "inflate" (func $inflate-lowered)))

  (core module $pkg
    (type $sink (func (param i32)))
    (type $clock (func (result i64)))
    (import "wasi:cli/environment@0.2.0" "get-environment" (func $get-environment (param i32)))
    (import "wasi:clocks/wall-clock@0.2.0" "now" (func $wall-now (param i32)))
    (import "wasi:clocks/monotonic-clock@0.2.0" "now" (func $monotonic-now (result i64)))
    (import "wasi:random/random@0.2.0" "get-random-u64" (func $random (result i64)))
    (import "wasi:sockets/tcp-create-socket@0.2.0" "create-tcp-socket"
      (func $create-tcp-socket (param i32 i32)))
    (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
    (import "wasi:filesystem/preopens@0.2.0" "get-directories" (func $get-directories (param i32)))
    (import "nano:inflate/api" "inflate" (func $inflate (param i32)))
    (memory (export "memory") 1)
    (table 4 funcref)
    (elem (i32.const 0) func $read-clock $read-monotonic)
    (elem declare func $draw-random)
    (global $hook funcref (ref.func $env-again))
    (export "raw-fd-write" (func $fd_write))
    (start $start-up)

    (func $run (export "nano:demo/api#run")
      i32.const 0
      call $read-env
      i32.const 0
      call $inflate
      i32.const 8
      i32.const 0
      call_indirect (type $sink))
    (func $read-env (param i32) local.get 0 call $get-environment)
    (func $read-clock (param i32) local.get 0 call $wall-now)
    (func $read-monotonic (result i64) call $monotonic-now)
    (func $draw-random (param i32) call $random drop)
    (func $env-again (param i32) local.get 0 call $get-environment)
    (func $connect (param i32) i32.const 0 i32.const 0 call $create-tcp-socket)
    (func $start-up i32.const 0 call $get-directories))
  (core instance $main (instantiate $pkg
    (with "wasi:cli/environment@0.2.0" (instance $environment))
    (with "wasi:clocks/wall-clock@0.2.0" (instance $wall-clock))
    (with "wasi:clocks/monotonic-clock@0.2.0" (instance $monotonic-clock))
    (with "wasi:random/random@0.2.0" (instance $random))
    (with "wasi:sockets/tcp-create-socket@0.2.0" (instance $tcp-create-socket))
    (with "wasi_snapshot_preview1" (instance $preview1))
    (with "wasi:filesystem/preopens@0.2.0" (instance $preopens))
    (with "nano:inflate/api" (instance $inflate-core))))

  (type $run-type (func))
  (alias core export $main "nano:demo/api#run" (core func $run-core))
  (func $run (type $run-type) (canon lift (core func $run-core)))
  (export "run" (func $run))
)
