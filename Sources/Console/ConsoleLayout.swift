/// Where the parts of the screen go at one size, so every size from 80×24 up shows the nodes, the
/// message timeline and the events, and no row is left empty.
///
/// - Nodes: boxed panes (up to 3 a row, 7 to 12 rows high) when they fit and leave the activity area
///   `activityRowsMinimum` rows; otherwise one line per node.
/// - Activity (timeline, locks & elections, events): side by side in boxes from `sideBySideWidth`
///   columns; stacked under ruled titles below that, with lock and election lines under the nodes.
struct ConsoleLayout: Equatable {
    enum Nodes: Equatable {
        /// Boxed panes, `columns` a row, each `height` rows high.
        case panes(columns: Int, height: Int)
        /// One line per node.
        case lines
    }

    static let paneWidthMinimum = 30
    static let paneHeightRange = 7...12
    static let activityRowsMinimum = 10
    static let sideBySideWidth = 100

    let nodes: Nodes
    /// Whether the activity area is side by side in boxes (else stacked under ruled titles).
    let sideBySide: Bool
    /// Rows of lock and election lines under one-line nodes (stacked activity only).
    let serviceLineRows: Int
    /// The timeline, events and (side by side) locks & elections share this.
    let activity: Rect

    /// - Parameters:
    ///   - bannerRows: rows the caption bar or time bar takes above the status line.
    ///   - serviceLineCount: lock and election lines there are to show.
    init(width: Int, height: Int, nodeCount: Int, bannerRows: Int, serviceLineCount: Int) {
        let top = 1
        let bottom = height - 2 - bannerRows
        sideBySide = width >= Self.sideBySideWidth
        serviceLineRows = sideBySide ? 0 : min(3, serviceLineCount)
        let columns = min(3, max(1, nodeCount))
        let paneRows = (nodeCount + columns - 1) / columns
        let paneHeight = min(Self.paneHeightRange.upperBound,
                             (bottom - top - serviceLineRows - Self.activityRowsMinimum) / max(1, paneRows))
        let nodesHeight: Int
        if width / columns >= Self.paneWidthMinimum, Self.paneHeightRange.contains(paneHeight) {
            nodes = .panes(columns: columns, height: paneHeight)
            nodesHeight = paneRows * paneHeight
        } else {
            nodes = .lines
            nodesHeight = nodeCount
        }
        let activityTop = top + nodesHeight + serviceLineRows
        activity = Rect(x: 0, y: activityTop, width: width, height: max(0, bottom - activityTop))
    }
}
