/* examples/c/port_loop.c — an FXS port's real-time loop through the linedsp C API (docs/embedding.md).
 *
 * Set-up (allocates, reads the tone plan): the US tone plan, a simulated loop, the FXS port driving the loop's
 * exchange end, and, at the phone end, a DTMF dialler and a caller ID receiver (the "telephone").
 * Loop, every 20 ms: the port processes what the line returned (rx) and what the VoIP side sent (voip_in), and
 * gives what goes to the line (tx) and to the VoIP side (voip_out) plus its events; then the line runs.
 * Script: the phone goes off-hook (dial tone), dials 411# (digits, number), hangs up; the gateway rings it with
 * caller ID; the phone decodes the caller ID between the rings.
 * Exit 0 when the port collected "411" and the phone decoded the caller's number; run by ctest (label examples).
 *
 * Usage: linedsp_port_loop DATA_DIR   (the folder holding tones/us.toml)
 */
#include <linedsp.h>
#include <stdio.h>
#include <string.h>

enum { kFrame = 160, kFrames = 700 }; /* 14 s */

int main(int argc, char** argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s DATA_DIR\n", argv[0]);
    return 2;
  }
  /* ---- set-up: the only calls that allocate ---- */
  linedsp_tone_plan* plan = NULL;
  linedsp_sim_line* line = NULL;
  linedsp_fxs_port* port = NULL;
  linedsp_dtmf_generator* dialler = NULL;
  linedsp_callerid_receiver* phone_cid = NULL;
  if (linedsp_tone_plan_load_country(argv[1], "us", &plan) != LINEDSP_OK ||
      linedsp_sim_line_create(NULL, &line) != LINEDSP_OK ||
      linedsp_fxs_port_create(plan, line, &port) != LINEDSP_OK ||
      linedsp_dtmf_generator_create(8000, -10.0, -8.0, 80, 80, &dialler) != LINEDSP_OK ||
      linedsp_callerid_receiver_create(LINEDSP_FSK_BELL202, 8000, 1, &phone_cid) != LINEDSP_OK) {
    fprintf(stderr, "set-up failed: %s\n", linedsp_last_error());
    return 1;
  }
  linedsp_tone_plan_destroy(plan); /* the port copied what it needs */
  const linedsp_callerid_message caller = {"11231200", "2025550123", "LINEDSP EXAMPLE", 0, 0};

  int16_t rx[kFrame] = {0}, tx[kFrame], voip_in[kFrame] = {0}, voip_out[kFrame], phone_tx[kFrame], phone_rx[kFrame];
  char number[33] = "", cid_number[33] = "";

  /* ---- the real-time loop ---- */
  for (int f = 0; f < kFrames; ++f) {
    if (f == 10) linedsp_sim_line_phone_hook(line, 1);       /* 0.2 s: off-hook */
    if (f == 60) linedsp_dtmf_generator_queue(dialler, "411#"); /* # ends the number */
    if (f == 175) linedsp_sim_line_phone_hook(line, 0);      /* 3.5 s: hang up */
    if (f == 300) linedsp_fxs_port_ring(port, &caller);     /* 6 s: incoming call with caller ID */

    linedsp_port_event events[16];
    size_t count = 0;
    if (linedsp_fxs_port_process(port, rx, tx, voip_in, voip_out, kFrame, events, 16, &count) != LINEDSP_OK) {
      fprintf(stderr, "process: %s\n", linedsp_last_error());
      return 1;
    }
    memset(phone_tx, 0, sizeof phone_tx);
    linedsp_dtmf_generator_generate(dialler, phone_tx, kFrame);
    linedsp_sim_line_process(line, tx, phone_tx, rx, phone_rx, kFrame);

    linedsp_callerid_event cid[4];
    size_t ncid = 0;
    linedsp_callerid_receiver_process(phone_cid, phone_rx, kFrame, cid, 4, &ncid);

    /* ---- hand the events on (in a product: a queue to the call-control thread) ---- */
    for (size_t i = 0; i < count; ++i) {
      printf("%7.3f s  %-12s", (double)events[i].sample / 8000.0, events[i].kind);
      if (events[i].digit) printf(" %c", events[i].digit);
      if (events[i].number[0]) printf(" %s", events[i].number);
      printf("\n");
      if (strcmp(events[i].kind, "number") == 0) snprintf(number, sizeof number, "%s", events[i].number);
    }
    for (size_t i = 0; i < ncid; ++i)
      if (!cid[i].begin && strcmp(cid[i].status, "ok") == 0) {
        snprintf(cid_number, sizeof cid_number, "%s", cid[i].number);
        printf("%7.3f s  phone shows caller ID %s \"%s\"\n", (double)cid[i].sample / 8000.0, cid[i].number, cid[i].name);
      }
  }

  linedsp_callerid_receiver_destroy(phone_cid);
  linedsp_dtmf_generator_destroy(dialler);
  linedsp_fxs_port_destroy(port); /* before the line it drives */
  linedsp_sim_line_destroy(line);
  printf("collected \"%s\", phone saw caller %s\n", number, cid_number);
  return strcmp(number, "411") == 0 && strcmp(cid_number, "2025550123") == 0 ? 0 : 1;
}
