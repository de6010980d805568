// wasi:cli terminal-* @0.3.0: the resources carry nothing; their presence says
// "this stream is a terminal".

export class TerminalInput {}
export class TerminalOutput {}
