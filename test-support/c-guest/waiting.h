// Waiting on one waitable at a time, for raw-ABI C guests: the waitable-set built-ins, the
// event codes, and wait_for over one waitable set the guest makes at start
// (`wset = waitable_set_new();`). Include after cabi.h.
#ifndef WAITING_H
#define WAITING_H

IMPORT("$root", "[waitable-set-new]") u32 waitable_set_new(void);
IMPORT("$root", "[waitable-join]") void waitable_join(u32 w, u32 set);
IMPORT("$root", "[waitable-set-wait]") u32 waitable_set_wait(u32 set, u32 *event);
IMPORT("$root", "[waitable-set-drop]") void waitable_set_drop(u32 set);

#define BLOCKED 0xffffffffu
#define EVENT_SUBTASK 1
#define EVENT_STREAM_READ 2
#define EVENT_STREAM_WRITE 3
#define EVENT_FUTURE_READ 4

static u32 wset;

/** Waits for `event` on waitable `h` (a copy or call that returned BLOCKED); returns the event's code. */
static inline u32 wait_for(u32 h, u32 event) {
  waitable_join(h, wset);
  u32 ev[2];
  for (;;) {
    u32 code = waitable_set_wait(wset, ev);
    if (code == event && ev[0] == h) break;
  }
  waitable_join(h, 0);
  return ev[1];
}

#endif
