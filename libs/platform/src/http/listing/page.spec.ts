import { toPage } from './page';

describe('toPage', () => {
  const cursorOf = (item: { id: string }) => item.id;

  it('uses the extra row only to say that more exist, and points the cursor at the last item shown', () => {
    expect(toPage([{ id: 'c' }, { id: 'b' }, { id: 'a' }], 2, cursorOf)).toEqual({ data: [{ id: 'c' }, { id: 'b' }], has_more: true, next_cursor: 'b' });
  });

  it('has no cursor on the last page', () => {
    expect(toPage([{ id: 'a' }], 2, cursorOf)).toEqual({ data: [{ id: 'a' }], has_more: false, next_cursor: null });
    expect(toPage([], 2, cursorOf)).toEqual({ data: [], has_more: false, next_cursor: null });
  });
});
