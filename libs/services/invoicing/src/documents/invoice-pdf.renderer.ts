import { readFileSync } from 'node:fs';
import PDFDocument from 'pdfkit';
import type { DocumentLine, DocumentParty, InvoiceDocument } from './invoice-document';

/*
 * The invoice (or credit note) as an A4 PDF, laid out from the document model, in DejaVu Sans
 * Condensed (embedded, subset by pdfkit): Latin, Greek, Cyrillic, Hebrew, Armenian, Georgian and
 * more print as written (customer names and addresses are not all Latin-1). Lines that do not fit move to a new page under a repeated table header; page
 * numbers are added once the number of pages is known, and only when there are several.
 */

const PAGE = { width: 595.28, height: 841.89, margin: 50 };
const CONTENT_WIDTH = PAGE.width - 2 * PAGE.margin;
/** Below it nothing but the page number is printed. */
const CONTENT_BOTTOM = PAGE.height - PAGE.margin - 18;
const TIER_INDENT = 14;

/** Description, then the four figures, right-aligned. */
const COLUMNS = [
  { key: 'description', x: PAGE.margin, width: 205 },
  { key: 'quantity', x: PAGE.margin + 205, width: 72 },
  { key: 'unitPrice', x: PAGE.margin + 277, width: 72 },
  { key: 'flatAmount', x: PAGE.margin + 349, width: 66 },
  { key: 'amount', x: PAGE.margin + 415, width: 80 },
] as const;

const GREY = '#555555';
const RULE = '#cccccc';
const MARK_COLOURS = { PAID: '#1a7f37', VOID: '#b42318' } as const;

/** The embedded fonts: read once, registered in each document under these names. */
const REGULAR = 'Body';
const BOLD = 'Body-Bold';
let fontFiles: { regular: Buffer; bold: Buffer } | undefined;
function fonts(): { regular: Buffer; bold: Buffer } {
  fontFiles ??= {
    regular: readFileSync(require.resolve('dejavu-fonts-ttf/ttf/DejaVuSansCondensed.ttf')),
    bold: readFileSync(require.resolve('dejavu-fonts-ttf/ttf/DejaVuSansCondensed-Bold.ttf')),
  };
  return fontFiles;
}

export function renderInvoicePdf(document: InvoiceDocument): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const pdf = new PDFDocument({
      size: 'A4',
      margin: PAGE.margin,
      bufferPages: true,
      info: {
        Title: `${document.title} ${document.number}`,
        Author: document.issuer?.name ?? 'ABAXUS',
        Creator: 'ABAXUS',
        CreationDate: document.issuedAt,
      },
    });
    pdf.registerFont(REGULAR, fonts().regular);
    pdf.registerFont(BOLD, fonts().bold);
    const chunks: Buffer[] = [];
    pdf.on('data', (chunk: Buffer) => chunks.push(chunk));
    pdf.on('end', () => resolve(Buffer.concat(chunks)));
    pdf.on('error', reject);
    try {
      new InvoiceLayout(pdf, document).draw();
      pdf.end();
    } catch (error) {
      reject(error);
    }
  });
}

class InvoiceLayout {
  private y = PAGE.margin;

  constructor(
    private readonly pdf: PDFKit.PDFDocument,
    private readonly doc: InvoiceDocument,
  ) {}

  draw(): void {
    this.header();
    this.table();
    this.totals();
    this.closing();
    this.pageNumbers();
  }

  private text(value: string, x: number, y: number, options: PDFKit.Mixins.TextOptions & { font?: string; size?: number; colour?: string } = {}): number {
    const { font = REGULAR, size = 9, colour = '#111111', ...rest } = options;
    this.pdf.font(font).fontSize(size).fillColor(colour);
    const text = value;
    const height = this.pdf.heightOfString(text, { width: rest.width, lineGap: 1 });
    this.pdf.text(text, x, y, { lineGap: 1, ...rest });
    return height;
  }

  private height(value: string, width: number, font = REGULAR, size = 9): number {
    return this.pdf.font(font).fontSize(size).heightOfString(value, { width, lineGap: 1 });
  }

  private rule(y: number, colour = RULE): void {
    this.pdf
      .moveTo(PAGE.margin, y)
      .lineTo(PAGE.margin + CONTENT_WIDTH, y)
      .lineWidth(0.5)
      .strokeColor(colour)
      .stroke();
  }

  /** Issuer (logo, name, address) on the left; title and facts on the right; "Billed to" below. */
  private header(): void {
    const { doc } = this;
    const left = PAGE.margin;
    const half = CONTENT_WIDTH / 2 - 10;
    let leftY = PAGE.margin;
    if (doc.logoPng) {
      this.pdf.image(doc.logoPng, left, leftY, { fit: [160, 56] });
      leftY += 64;
    }
    if (doc.issuer) leftY += this.party(doc.issuer, left, leftY, half, 12);
    else leftY += this.text('Issuer details not configured (PUT /v1/settings)', left, leftY, { width: half, colour: GREY });

    const right = PAGE.margin + CONTENT_WIDTH / 2 + 10;
    let rightY = PAGE.margin;
    rightY += this.text(doc.title.toUpperCase(), right, rightY, { width: half, align: 'right', font: BOLD, size: 22 }) + 8;
    for (const fact of doc.facts) {
      this.text(fact.label, right, rightY, { width: 90, colour: GREY });
      rightY += Math.max(this.text(fact.value, right + 90, rightY, { width: half - 90, align: 'right', font: BOLD }), 11) + 2;
    }
    if (doc.mark) rightY += 10 + this.stamp(rightY + 10);

    let y = Math.max(leftY, rightY) + 18;
    this.text('BILLED TO', left, y, { width: half, font: BOLD, size: 8, colour: GREY });
    y += 12;
    y += this.party(doc.billedTo, left, y, half, 11);
    this.y = y + 20;
  }

  private party(party: DocumentParty, x: number, y: number, width: number, nameSize: number): number {
    let height = this.text(party.name, x, y, { width, font: BOLD, size: nameSize }) + 2;
    for (const line of party.lines) height += this.text(line, x, y + height, { width });
    return height;
  }

  /** PAID or VOID in a coloured frame, right-aligned at `y` (under the facts; beside the heading on later pages). */
  private stamp(y: number): number {
    const { mark } = this.doc;
    if (!mark) return 0;
    const colour = MARK_COLOURS[mark];
    const width = 96;
    const height = 30;
    const x = PAGE.margin + CONTENT_WIDTH - width;
    this.pdf.roundedRect(x, y, width, height, 4).lineWidth(2).strokeColor(colour).stroke();
    this.text(mark, x, y + 7, { width, align: 'center', font: BOLD, size: 18, colour, lineBreak: false });
    return height;
  }

  private tableHeader(): void {
    const y = this.y;
    const labels = {
      description: 'Description',
      quantity: 'Quantity',
      unitPrice: 'Unit price',
      flatAmount: 'Flat amount',
      amount: `Amount (${this.doc.currency})`,
    };
    for (const column of COLUMNS) {
      this.text(labels[column.key], column.x, y, {
        width: column.width,
        align: column.key === 'description' ? 'left' : 'right',
        font: BOLD,
        size: 8,
        colour: GREY,
      });
    }
    this.rule(y + 12, '#888888');
    this.y = y + 18;
  }

  /** Room for `height` more points on this page, or a new page with the table header again. */
  private ensureRoom(height: number, inTable: boolean): void {
    if (this.y + height <= CONTENT_BOTTOM) return;
    this.pdf.addPage();
    this.y = PAGE.margin;
    this.text(`${this.doc.title} ${this.doc.number} (continued)`, PAGE.margin, this.y, { width: CONTENT_WIDTH, font: BOLD, size: 10 });
    this.y += Math.max(22, this.stamp(this.y) + 10);
    if (inTable) this.tableHeader();
  }

  private table(): void {
    this.tableHeader();
    for (const group of this.doc.groups) {
      if (group.heading) {
        const height = this.height(group.heading, CONTENT_WIDTH, BOLD, 9);
        this.ensureRoom(height + 24, true);
        this.y += 4;
        this.y += this.text(group.heading, PAGE.margin, this.y, { width: CONTENT_WIDTH, font: BOLD, colour: GREY }) + 4;
      }
      for (const line of group.lines) this.line(line);
    }
  }

  private line(line: DocumentLine): void {
    const [description, quantity, , , amount] = COLUMNS;
    const detail = line.details.join(' · ');
    const titleHeight = this.height(line.description, description.width, BOLD);
    const detailHeight = detail ? this.height(detail, description.width, REGULAR, 8) : 0;
    // The line and its first tier stay together.
    this.ensureRoom(titleHeight + detailHeight + (line.tiers.length > 0 ? 14 : 0) + 6, true);
    const top = this.y;
    this.text(line.description, description.x, top, { width: description.width, font: BOLD });
    this.text(line.quantity, quantity.x, top, { width: quantity.width, align: 'right' });
    this.text(line.amount, amount.x, top, { width: amount.width, align: 'right', font: BOLD });
    this.y = top + titleHeight;
    if (detail) this.y += this.text(detail, description.x, this.y, { width: description.width, size: 8, colour: GREY });
    for (const tier of line.tiers) {
      const height = this.height(tier.description, description.width - TIER_INDENT, REGULAR, 8);
      this.ensureRoom(height + 2, true);
      const y = this.y + 1;
      this.text(tier.description, description.x + TIER_INDENT, y, { width: description.width - TIER_INDENT, size: 8, colour: GREY });
      for (const column of COLUMNS.slice(1)) {
        this.text(tier[column.key], column.x, y, { width: column.width, align: 'right', size: 8, colour: GREY });
      }
      this.y = y + height + 1;
    }
    this.y += 4;
    this.rule(this.y);
    this.y += 6;
  }

  private totals(): void {
    const labelX = PAGE.margin + 245;
    const labelWidth = 170;
    const amount = COLUMNS[4];
    this.ensureRoom(this.doc.totals.length * 16 + 8, false);
    this.y += 4;
    for (const total of this.doc.totals) {
      const bold = total.emphasis !== 'none';
      const size = total.emphasis === 'due' ? 12 : 10;
      if (total.emphasis === 'due') {
        this.pdf
          .moveTo(labelX, this.y - 2)
          .lineTo(PAGE.margin + CONTENT_WIDTH, this.y - 2)
          .lineWidth(0.8)
          .strokeColor('#111111')
          .stroke();
        this.y += 3;
      }
      const label = total.emphasis === 'due' ? `${total.label} (${this.doc.currency})` : total.label;
      this.text(label, labelX, this.y, { width: labelWidth, font: bold ? BOLD : REGULAR, size });
      this.text(total.amount, amount.x, this.y, { width: amount.width, align: 'right', font: bold ? BOLD : REGULAR, size });
      this.y += size + 6;
    }
  }

  /** Payment instructions (under the document's closing heading), then the issuer's footer. */
  private closing(): void {
    const blocks: Array<{ heading: string; text: string }> = [{ heading: this.doc.closingHeading, text: this.doc.paymentInstructions.join('\n') }];
    if (this.doc.footer) blocks.push({ heading: '', text: this.doc.footer });
    this.y += 16;
    for (const block of blocks) {
      const height = this.height(block.text, CONTENT_WIDTH) + (block.heading ? 14 : 0);
      this.ensureRoom(height + 8, false);
      if (block.heading) this.y += this.text(block.heading.toUpperCase(), PAGE.margin, this.y, { width: CONTENT_WIDTH, font: BOLD, size: 8, colour: GREY }) + 3;
      this.y += this.text(block.text, PAGE.margin, this.y, { width: CONTENT_WIDTH, colour: block.heading ? '#111111' : GREY }) + 12;
    }
  }

  private pageNumbers(): void {
    const { start, count } = this.pdf.bufferedPageRange();
    if (count < 2) return;
    for (let index = 0; index < count; index++) {
      this.pdf.switchToPage(start + index);
      // Writing below the bottom margin would otherwise open a new page.
      this.pdf.page.margins.bottom = 0;
      this.text(`Page ${index + 1} of ${count}`, PAGE.margin, PAGE.height - PAGE.margin + 4, {
        width: CONTENT_WIDTH,
        align: 'center',
        size: 8,
        colour: GREY,
        lineBreak: false,
      });
    }
  }
}
