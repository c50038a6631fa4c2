// The phone's camera as a QR scanner: frames drawn to a canvas and decoded
// with jsQR (web/vendor/jsqr). Calls `onText` once per distinct code.

export class Scanner {
  constructor(video, onText) {
    this.video = video;
    this.onText = onText;
    this.canvas = document.createElement('canvas');
    this.last = '';
    this.stream = null;
  }

  async start() {
    if (!window.jsQR) throw new Error('jsQR 未加载 is not loaded');
    this.stream = await navigator.mediaDevices.getUserMedia({
      video: { facingMode: 'environment' }, audio: false,
    });
    this.video.srcObject = this.stream;
    this.video.setAttribute('playsinline', '');
    await this.video.play();
    this.timer = setInterval(() => this.tick(), 150);
  }

  stop() {
    clearInterval(this.timer);
    if (this.stream) this.stream.getTracks().forEach((t) => t.stop());
    this.stream = null;
    this.video.srcObject = null;
  }

  tick() {
    const { videoWidth: w, videoHeight: h } = this.video;
    if (!w || !h) return;
    this.canvas.width = w;
    this.canvas.height = h;
    const ctx = this.canvas.getContext('2d', { willReadFrequently: true });
    ctx.drawImage(this.video, 0, 0, w, h);
    const code = window.jsQR(ctx.getImageData(0, 0, w, h).data, w, h, { inversionAttempts: 'dontInvert' });
    if (code && code.data && code.data !== this.last) {
      this.last = code.data;
      this.onText(code.data);
    }
  }
}
