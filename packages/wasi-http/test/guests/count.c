// A wasi:http handler that answers 200 with how many requests its instance has
// served, this one included ("1", "2", ...): a count kept in the guest's memory,
// so a client sees whether requests reach a new instance (or a reset one).
#include "http.h"

static u32 served;
// One text per request in flight (the body is written after `handle` returns).
static char texts[64][12];

EXPORT("[async-lift]" HANDLER "#handle") u32 handle(u32 request) {
  request_drop(request);
  u32 n = ++served;
  char *text = texts[n % 64];
  char digits[11];
  int k = 0;
  do {
    digits[k++] = (char)('0' + n % 10);
    n /= 10;
  } while (n != 0);
  for (int i = 0; i < k; i++) text[i] = digits[k - 1 - i];
  text[k] = 0;
  return respond_text(200, text);
}

HANDLER_CALLBACK
